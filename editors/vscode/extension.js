// Starts `rectify lsp` for scheme files and hands it to VS Code's language client. Everything
// the editor shows comes from the server; this file only says how to start it.

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function start() {
  const settings = vscode.workspace.getConfiguration("rectify");
  const command = settings.get("path") || "rectify";
  const lang = settings.get("lang") || (vscode.env.language.startsWith("zh") ? "zh" : "en");
  const server = { command, args: ["lsp"], options: { env: { ...process.env, RECTIFY_LANG: lang } } };
  client = new LanguageClient(
    "rectify",
    "rectify",
    { run: server, debug: server },
    {
      documentSelector: [{ scheme: "file", language: "rectify" }, { scheme: "untitled", language: "rectify" }],
      initializationOptions: { lang },
    },
  );
  return client.start();
}

function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand("rectify.restart", async () => {
      if (client) {
        await client.stop();
      }
      await start();
    }),
  );
  return start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
