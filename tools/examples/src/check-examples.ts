/**
 * Type-checks every ```ts example of the READMEs and TSDoc comments against the built packages:
 * `@rxinformer/*` resolves through node_modules to each library's `dist/index.d.ts`, so an
 * example compiles only if it compiles for a user of the published types. One program holds
 * every block (each its own ES module), the ambient prelude (`tools/examples/prelude.d.ts`) and
 * the automatic imports of the exported names a block uses without importing them.
 *
 * Usage: `npx tsx tools/examples/src/check-examples.ts [--print <file>:<line>]` after
 * `npx nx run-many -t build`. Exits 1 on any failing block, 2 when the packages are not built.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { extractExamples, type ExampleBlock } from './extract-blocks.js';
import { freeNames } from './free-names.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const preludePath = join(root, 'tools/examples/prelude.d.ts');

/** A module a block may use names from without importing them, in the order they are tried. */
interface ImportSource {
  /** A package name, or the absolute path of a source file of the block's own project. */
  readonly module: string;
  readonly names: ReadonlySet<string>;
  readonly internal: boolean;
  /** Third-party names are imported only when called, constructed, used as types, capitalized or a scheduler. */
  readonly thirdParty: boolean;
}

interface CompiledBlock {
  readonly block: ExampleBlock;
  readonly path: string;
  readonly text: string;
  readonly internalImports: readonly string[];
}

const started = performance.now();
/** The generated files, by absolute path: the blocks and the probe that lists each package's exports. */
const virtualFiles = new Map<string, string>();
const printArg = process.argv.indexOf('--print');
const printTarget = printArg >= 0 ? process.argv[printArg + 1] : undefined;

const options = compilerOptions();
const host = cachingHost(options);
const libraries = readdirSync(join(root, 'libs'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => ({ dir: `libs/${d.name}`, name: packageName(`libs/${d.name}`) }))
  .sort((a, b) => a.dir.localeCompare(b.dir));
// Workspace packages that are not published (no dist): they resolve to their source by their exports.
const workspacePackages = ['apps/shared', 'tools/kube-apiserver'].map(packageName);
const thirdParty = ['rxjs', 'rxjs/testing', '@kubernetes/client-node', 'pino', 'vitest'];

const exportsProbe = join(root, 'tools/examples/exports-probe.mts');
const probeModules = [...libraries.map((l) => l.name), ...workspacePackages, ...thirdParty];
virtualFiles.set(exportsProbe, probeModules.map((m, i) => `import * as m${i} from '${m}';`).join('\n'));
const probe = ts.createProgram({ rootNames: [exportsProbe], options, host });
const packageExports = exportedNames(probe, exportsProbe);
checkBuilt(probe);

const preludeNames = ambientNames(preludePath);
const projectExports = new Map<string, ImportSource[]>();
const { blocks, unread } = extractExamples(root);
const compiled: CompiledBlock[] = [];
for (const block of blocks) {
  if (block.optOut !== undefined) continue;
  const path = join(root, dirname(block.file), `${basename(block.file)}.L${block.line}.example.ts`);
  const { header, internalImports } = autoImports(block, path);
  const text = `${header}\n${block.code}\n`;
  virtualFiles.set(path, text);
  compiled.push({ block, path, text, internalImports });
}

const program = ts.createProgram({
  rootNames: [preludePath, ...compiled.map((c) => c.path)],
  options,
  host,
  oldProgram: probe,
});
const failures: string[] = unread.map((u) => `${u} - error: a block the checker cannot read`);
const failedBlocks = new Set<CompiledBlock>();
for (const d of [
  ...program.getOptionsDiagnostics(),
  ...program.getGlobalDiagnostics(),
  ...diagnosticsOf(program, preludePath),
]) {
  failures.push(`${relative(root, d.file?.fileName ?? preludePath)}: ${message(d)}`);
}
for (const c of compiled) {
  for (const d of diagnosticsOf(program, c.path)) {
    failedBlocks.add(c);
    const { line, character } =
      d.file && d.start !== undefined
        ? d.file.getLineAndCharacterOfPosition(d.start)
        : { line: 0, character: 0 };
    // Line 0 is the generated import line: report it at the opening fence.
    const fileLine = c.block.line - 1 + line;
    failures.push(`${c.block.file}:${fileLine}:${line === 0 ? 1 : character + 1} - ${message(d)}`);
  }
  if (printTarget === `${c.block.file}:${c.block.line}`)
    process.stdout.write(`--- ${c.path}\n${c.text}---\n`);
}

const optedOut = blocks.filter((b) => b.optOut !== undefined);
for (const b of optedOut) console.log(`opted out: ${b.file}:${b.line} (${b.optOut})`);
for (const f of failures) console.error(f);
const internal = new Map<string, number>();
for (const c of compiled) {
  const project = c.block.file.split('/').slice(0, 2).join('/');
  if (c.internalImports.length > 0) internal.set(project, (internal.get(project) ?? 0) + 1);
}
if (internal.size > 0) {
  const counts = [...internal].map(([project, n]) => `${project}: ${n}`).join(', ');
  console.log(
    `TSDoc examples that also use names their package does not export, checked against its source: ${counts}`,
  );
}
const byFile = new Map<string, number>();
for (const b of optedOut) byFile.set(b.file, (byFile.get(b.file) ?? 0) + 1);
const where = [...byFile].map(([file, n]) => `${file}: ${n}`).join(', ');
console.log(
  `examples: ${compiled.length - failedBlocks.size} compiled, ${failedBlocks.size} failed, ` +
    `${optedOut.length} opted out${where ? ` (${where})` : ''}` +
    `${unread.length > 0 ? `, ${unread.length} files with blocks not read` : ''} ` +
    `[${blocks.filter((b) => b.origin === 'readme').length} README, ${blocks.filter((b) => b.origin === 'tsdoc').length} TSDoc; ` +
    `${((performance.now() - started) / 1000).toFixed(1)} s]`,
);
if (failures.length > 0) process.exitCode = 1;

/** The names a block uses without declaring them, imported from the first source that exports each. */
function autoImports(block: ExampleBlock, path: string): { header: string; internalImports: string[] } {
  const sources = importSources(block);
  const chosen = new Map<string, string[]>();
  const internalImports: string[] = [];
  for (const [name, uses] of freeNames(block.code)) {
    if (preludeNames.has(name)) continue;
    const distinct = uses.has('call') || uses.has('type') || /^[A-Z]|Scheduler$/.test(name);
    const source = sources.find((s) => s.names.has(name) && (distinct || !s.thirdParty));
    if (!source) continue;
    const specifier = source.internal ? relativeSpecifier(path, source.module) : source.module;
    chosen.set(specifier, [...(chosen.get(specifier) ?? []), name]);
    if (source.internal) internalImports.push(name);
  }
  const imports = [...chosen].map(
    ([specifier, names]) => `import { ${names.sort().join(', ')} } from '${specifier}';`,
  );
  return { header: [...imports, 'export {};'].join(' '), internalImports };
}

/**
 * Where a block's free names come from, in order: the block's own package; for a TSDoc block
 * the exports of the file it documents (checked against the source when the package does not
 * publish them); core, the other libraries and the unpublished workspace packages; the other
 * files of a TSDoc block's project; the third-party packages.
 */
function importSources(block: ExampleBlock): ImportSource[] {
  const project = block.file.split('/').slice(0, 2).join('/');
  const ownPackage = packageName(existsPackage(project) ? project : '.');
  const packages = (names: readonly string[]): ImportSource[] =>
    names
      .filter((m) => packageExports.has(m))
      .map((m) => ({
        module: m,
        names: packageExports.get(m)!,
        internal: false,
        thirdParty: thirdParty.includes(m),
      }));
  const ownFile = join(root, block.file);
  const local = block.origin === 'tsdoc' ? sourceExports(project) : [];
  const others = [...new Set(['@rxinformer/core', ...libraries.map((l) => l.name), ...workspacePackages])];
  return [
    ...packages([ownPackage]),
    ...local.filter((s) => s.module === ownFile),
    ...packages(others.filter((m) => m !== ownPackage)),
    ...local.filter((s) => s.module !== ownFile),
    ...packages(thirdParty),
  ];
}

/** The exported declarations of each non-spec source file of a project (no re-exports). */
function sourceExports(project: string): ImportSource[] {
  const cached = projectExports.get(project);
  if (cached) return cached;
  const files = [...new Set(blocks.filter((b) => b.file.startsWith(`${project}/src/`)).map((b) => b.file))];
  const dir = join(root, project, 'src');
  const all = listTs(dir);
  const sources = [...new Set([...files.map((f) => join(root, f)), ...all])].map((file) => ({
    module: file,
    names: declaredExports(file),
    internal: true,
    thirdParty: false,
  }));
  projectExports.set(project, sources);
  return sources;
}

function listTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return listTs(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

function declaredExports(file: string): Set<string> {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const names = new Set<string>();
  for (const statement of source.statements) {
    const exported = ts.canHaveModifiers(statement)
      ? ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
      : false;
    if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause) {
      if (ts.isNamedExports(statement.exportClause)) {
        for (const e of statement.exportClause.elements) names.add(e.name.text);
      }
    } else if (exported && ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations)
        if (ts.isIdentifier(d.name)) names.add(d.name.text);
    } else if (
      exported &&
      (ts.isFunctionDeclaration(statement) ||
        ts.isClassDeclaration(statement) ||
        ts.isInterfaceDeclaration(statement) ||
        ts.isTypeAliasDeclaration(statement) ||
        ts.isEnumDeclaration(statement)) &&
      statement.name
    ) {
      names.add(statement.name.text);
    }
  }
  return names;
}

function relativeSpecifier(from: string, to: string): string {
  const path = relative(dirname(from), to).split('\\').join('/').replace(/\.ts$/, '.js');
  return path.startsWith('.') ? path : `./${path}`;
}

function existsPackage(dir: string): boolean {
  try {
    return statSync(join(root, dir, 'package.json')).isFile();
  } catch {
    return false;
  }
}

function packageName(dir: string): string {
  return (JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as { name: string }).name;
}

/** The export names of every module the probe file imports, by module name. */
function exportedNames(probeProgram: ts.Program, probePath: string): Map<string, Set<string>> {
  const checker = probeProgram.getTypeChecker();
  const source = probeProgram.getSourceFile(probePath)!;
  const result = new Map<string, Set<string>>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const symbol = checker.getSymbolAtLocation(statement.moduleSpecifier);
    if (!symbol) continue;
    result.set(
      statement.moduleSpecifier.text,
      new Set(checker.getExportsOfModule(symbol).map((s) => s.name)),
    );
  }
  for (const m of probeModules) {
    if (!result.has(m))
      fatal(`cannot resolve ${m} from tools/examples: run \`npx nx run-many -t build\` first`);
  }
  return result;
}

/** Stops unless every library resolves to its built declarations; warns when one is older than its source. */
function checkBuilt(probeProgram: ts.Program): void {
  for (const lib of libraries) {
    const resolved = ts.resolveModuleName(
      lib.name,
      exportsProbe,
      options,
      host,
      undefined,
      undefined,
      ts.ModuleKind.ESNext,
    ).resolvedModule?.resolvedFileName;
    const expected = join(root, lib.dir, 'dist/index.d.ts');
    if (resolved !== expected || !probeProgram.getSourceFile(expected)) {
      fatal(
        `${lib.name} resolves to ${resolved ? relative(root, resolved) : 'nothing'}, not ${relative(root, expected)}: ` +
          'run `npx nx run-many -t build` first',
      );
    }
    const built = statSync(expected).mtimeMs;
    const stale = listTs(join(root, lib.dir, 'src')).find((f) => statSync(f).mtimeMs > built);
    if (stale)
      console.warn(`warning: ${relative(root, stale)} is newer than ${relative(root, expected)}: rebuild`);
  }
}

/** The names `declare global { … }` of the prelude declares, which are never imported automatically. */
function ambientNames(path: string): Set<string> {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest);
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (
      (ts.isVariableDeclaration(node) ||
        ts.isFunctionDeclaration(node) ||
        ts.isClassDeclaration(node) ||
        ts.isInterfaceDeclaration(node) ||
        ts.isTypeAliasDeclaration(node)) &&
      node.name &&
      ts.isIdentifier(node.name)
    ) {
      names.add(node.name.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return names;
}

function diagnosticsOf(p: ts.Program, path: string): readonly ts.Diagnostic[] {
  const file = p.getSourceFile(path);
  if (!file) return [];
  return [...p.getSyntacticDiagnostics(file), ...p.getSemanticDiagnostics(file)];
}

function message(d: ts.Diagnostic): string {
  return `error TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n    ')}`;
}

/** The repository's strict options, without `paths`/`baseUrl` so packages resolve as a user's would. */
function compilerOptions(): ts.CompilerOptions {
  const configPath = join(root, 'tsconfig.base.json');
  const config = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  if (config.error) fatal(message(config.error));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root, undefined, configPath);
  const { paths: _paths, baseUrl: _baseUrl, ...rest } = parsed.options;
  return {
    ...rest,
    noEmit: true,
    declaration: false,
    sourceMap: false,
    incremental: false,
    composite: false,
  };
}

function cachingHost(compilerOptions: ts.CompilerOptions): ts.CompilerHost {
  const base = ts.createCompilerHost(compilerOptions, true);
  const cache = new Map<string, ts.SourceFile>();
  return {
    ...base,
    fileExists: (f) => virtualFiles.has(f) || base.fileExists(f),
    readFile: (f) => virtualFiles.get(f) ?? base.readFile(f),
    getSourceFile: (fileName, languageVersion, onError) => {
      const virtual = virtualFiles.get(fileName);
      if (virtual !== undefined) return ts.createSourceFile(fileName, virtual, languageVersion, true);
      const hit = cache.get(fileName);
      if (hit) return hit;
      const file = base.getSourceFile(fileName, languageVersion, onError);
      if (file) cache.set(fileName, file);
      return file;
    },
  };
}

function fatal(text: string): never {
  console.error(`check-examples: ${text}`);
  process.exit(2);
}
