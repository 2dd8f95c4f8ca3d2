// Decode MyNearWallet /sign links the way the wallet does: query-string@7 parse (MNW's parser), split on ",",
// base64, then @near-js/transactions decodeTransaction. Reads a JSON array of URLs on stdin, prints JSON.
import { decodeTransaction } from "@near-js/transactions";
import queryString from "query-string";

const input = await new Promise((resolve) => {
  let data = "";
  process.stdin.on("data", (chunk) => (data += chunk));
  process.stdin.on("end", () => resolve(data));
});

const decoded = JSON.parse(input).map((url) => {
  const query = queryString.parse(new URL(url).search);
  return {
    callbackUrl: query.callbackUrl ?? null,
    transactions: String(query.transactions).split(",").map((b64) => {
      const tx = decodeTransaction(Buffer.from(b64, "base64"));
      return {
        signerId: tx.signerId,
        receiverId: tx.receiverId,
        nonce: tx.nonce.toString(),
        actions: tx.actions.map((action) => {
          const call = action.functionCall;
          if (!call) return { kind: Object.keys(action)[0] };
          return {
            kind: "functionCall",
            methodName: call.methodName,
            args: Buffer.from(call.args).toString("utf8"),
            gas: call.gas.toString(),
            deposit: call.deposit.toString(),
          };
        }),
      };
    }),
  };
});
process.stdout.write(JSON.stringify(decoded));
