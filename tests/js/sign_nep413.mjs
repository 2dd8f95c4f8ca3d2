// An independent NEP-413 signer: @near-js/signers KeyPairSigner.signNep413Message (its own borsh schema, tag and
// sha256). Reads a JSON array of {secretKey, accountId, message, recipient, nonce (base64), callbackUrl?} on stdin
// and prints [{publicKey, signature (base64)}]. The keys are throwaway test keys made by the Python tests.
import { KeyPair } from "@near-js/crypto";
import { KeyPairSigner } from "@near-js/signers";

const input = await new Promise((resolve) => {
  let data = "";
  process.stdin.on("data", (chunk) => (data += chunk));
  process.stdin.on("end", () => resolve(data));
});

const signed = [];
for (const item of JSON.parse(input)) {
  const signer = new KeyPairSigner(KeyPair.fromString(item.secretKey));
  const nonce = new Uint8Array(Buffer.from(item.nonce, "base64"));
  const result = await signer.signNep413Message(
    item.message, item.accountId, item.recipient, nonce, item.callbackUrl ?? undefined,
  );
  signed.push({ publicKey: result.publicKey.toString(), signature: Buffer.from(result.signature).toString("base64") });
}
process.stdout.write(JSON.stringify(signed));
