// The verification page: asks the user's wallet to sign the NEP-413 message the bot issued and sends the answer
// (account id, public key, signature: nothing secret) back to the bot. MyNearWallet by its redirect flow
// (mynearwallet SignMessageWrapper.js: /sign-message?message&nonce&recipient&callbackUrl&state, answering
// #accountId&publicKey&signature&state or #error); extension wallets through @near-wallet-selector.
import { setupWalletSelector } from "@near-wallet-selector/core";
import { setupNightly } from "@near-wallet-selector/nightly";
import { setupOKXWallet } from "@near-wallet-selector/okx-wallet";
import { setupSender } from "@near-wallet-selector/sender";

const config = JSON.parse(document.getElementById("config").textContent);
const statusLine = document.getElementById("status");
const wallets = document.getElementById("wallets");
const nonce = Uint8Array.from(atob(config.nonce), (c) => c.charCodeAt(0));
const STATE_KEY = "near-verify-state:" + config.submitUrl;

function say(text, kind) {
  statusLine.textContent = text;
  statusLine.className = kind || "";
}

async function submit(signed) {
  say("Checking the signature and your account's key…");
  try {
    const response = await fetch(config.submitUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ accountId: signed.accountId, publicKey: String(signed.publicKey), signature: signed.signature }),
    });
    const answer = await response.json();
    say(answer.title + ". " + answer.text, answer.ok ? "ok" : "error");
    if (answer.ok) wallets.hidden = true;
  } catch (error) {
    say("The bot could not be reached. Try again in a minute.", "error");
  }
}

function fromRedirect() {
  if (!location.hash) return;
  const answer = new URLSearchParams(location.hash.slice(1));
  history.replaceState(null, "", location.pathname); // the signature leaves the address bar
  const expected = sessionStorage.getItem(STATE_KEY);
  sessionStorage.removeItem(STATE_KEY);
  if (answer.get("error")) {
    say("The wallet did not sign: " + answer.get("error"), "error");
  } else if (!expected || answer.get("state") !== expected) {
    say("That wallet answer was not for this page. Press a wallet button to try again.", "error");
  } else {
    submit({ accountId: answer.get("accountId"), publicKey: answer.get("publicKey"), signature: answer.get("signature") });
  }
}

function signWithMyNearWallet() {
  const state = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  sessionStorage.setItem(STATE_KEY, state);
  const url = new URL(config.walletUrl);
  url.pathname = "sign-message";
  url.searchParams.append("message", config.message);
  url.searchParams.append("nonce", config.nonce);
  url.searchParams.append("recipient", config.recipient);
  url.searchParams.append("callbackUrl", config.callbackUrl);
  url.searchParams.append("state", state);
  location.assign(url.toString());
}

function addButton(label, onClick) {
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  button.addEventListener("click", onClick);
  document.getElementById("injected").append(button);
}

async function extensionWallets() {
  const note = document.createElement("p");
  note.className = "note";
  try {
    const selector = await setupWalletSelector({
      network: config.network, modules: [setupSender(), setupNightly(), setupOKXWallet()],
    });
    const found = selector.store.getState().modules.filter((m) => m.type === "injected" && m.metadata.available);
    for (const module of found) {
      addButton("Sign with " + module.metadata.name, async () => {
        say("Waiting for " + module.metadata.name + "…");
        try {
          const wallet = await selector.wallet(module.id);
          const signed = await wallet.signMessage({ message: config.message, recipient: config.recipient, nonce });
          if (!signed) throw new Error("no answer");
          await submit(signed);
        } catch (error) {
          say(module.metadata.name + " did not sign: " + (error && error.message ? error.message : error), "error");
        }
      });
    }
    note.textContent = found.length ? "" : "No browser-extension wallet found (Sender, Nightly, OKX). MyNearWallet works in any browser.";
  } catch (error) {
    note.textContent = "Extension wallets could not be loaded here. MyNearWallet works in any browser.";
  }
  document.getElementById("injected").append(note);
}

document.getElementById("mnw").addEventListener("click", signWithMyNearWallet);
fromRedirect();
extensionWallets();
