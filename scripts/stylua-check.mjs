// Checks that lua/, plugin/ and tests/lua/ are formatted as .stylua.toml says, with StyLua's own
// formatter (npm @johnnymorganz/stylua, a WebAssembly build: no native binary to download).
//
//   node scripts/stylua-check.mjs STYLUA_MODULE_DIR [--write]
//
// Prints each file that differs (and the first differing line) and exits 1; --write reformats.
import { readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const [moduleDir, flag] = process.argv.slice(2);
if (!moduleDir) {
  console.error('usage: node scripts/stylua-check.mjs STYLUA_MODULE_DIR [--write]');
  process.exit(2);
}
const stylua = createRequire(import.meta.url)(join(moduleDir, 'stylua_lib_node.cjs'));

// .stylua.toml: flat `key = value` lines are all this project uses.
const toml = {};
for (const line of readFileSync('.stylua.toml', 'utf8').split('\n')) {
  const m = line.match(/^\s*([a-z_]+)\s*=\s*"?([^"#]*?)"?\s*$/);
  if (m) toml[m[1]] = m[2];
}
// formatCode takes ownership of its Config (wasm-bindgen), so each file gets a fresh one.
function makeConfig() {
const config = stylua.Config.new();
const set = {
  column_width: (v) => (config.column_width = Number(v)),
  indent_width: (v) => (config.indent_width = Number(v)),
  indent_type: (v) => (config.indent_type = stylua.IndentType[v]),
  line_endings: (v) => (config.line_endings = stylua.LineEndings[v]),
  quote_style: (v) => (config.quote_style = stylua.QuoteStyle[v]),
  call_parentheses: (v) => (config.call_parentheses = stylua.CallParenType[v]),
  collapse_simple_statement: (v) => (config.collapse_simple_statement = stylua.CollapseSimpleStatement[v]),
};
for (const [k, v] of Object.entries(toml)) {
  if (!set[k]) {
    console.error(`stylua-check: .stylua.toml key ${k} is not mapped here; add it to scripts/stylua-check.mjs`);
    process.exit(2);
  }
  set[k](v);
  if (config[k] === undefined) {
    console.error(`stylua-check: .stylua.toml ${k} = ${v} is not a value StyLua knows`);
    process.exit(2);
  }
}
return config;
}
makeConfig(); // refuse a bad .stylua.toml before reading any file

function luaFiles(dir) {
  let out = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out = out.concat(luaFiles(p));
    else if (p.endsWith('.lua')) out.push(p);
  }
  return out;
}

const files = ['lua', 'plugin', 'tests/lua', 'scripts'].flatMap(luaFiles).sort();
let bad = 0;
for (const f of files) {
  const src = readFileSync(f, 'utf8');
  let out;
  try {
    out = stylua.formatCode(src, makeConfig(), undefined, stylua.OutputVerification.None);
  } catch (e) {
    console.error(`${f}: stylua could not parse it: ${e}`);
    bad++;
    continue;
  }
  if (out === src) continue;
  if (flag === '--write') {
    writeFileSync(f, out);
    console.log(`formatted ${f}`);
    continue;
  }
  const a = src.split('\n');
  const b = out.split('\n');
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  console.error(`${f}:${i + 1}: not formatted (stylua wants: ${JSON.stringify(b[i] ?? '')})`);
  bad++;
}
console.log(`stylua-check: ${files.length} files, ${bad} not formatted`);
process.exit(bad ? 1 : 0);
