/**
 * Bundles the chaincode server (src/server.ts) into one CommonJS file, dist/server.cjs, that a
 * chaincode-as-a-service host starts with `node dist/server.cjs`.
 *
 * fabric-contract-api learns each transaction's parameter types from decorator metadata, which
 * TypeScript emits (emitDecoratorMetadata) and esbuild does not. So esbuild bundles, but every .ts
 * file is first compiled by TypeScript's own transpiler, with the repository's compiler options:
 * one step, no temporary folder, the same decorators semantics as `tsc`. transpileModule sees one
 * file at a time, which the repository already guarantees is safe (isolatedModules).
 *
 * The workspace packages (@edu-ledger/domain) and zod are bundled. fabric-shim, fabric-contract-api
 * and reflect-metadata stay external and resolve from node_modules, so the contracts' decorators
 * and fabric-shim's dispatcher share one fabric-contract-api and one metadata registry.
 *
 * Usage: `npm run build -w @edu-ledger/chaincode` (or `node --import tsx chaincode/build.ts`).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type PartialMessage, type Plugin } from 'esbuild';
import ts from 'typescript';

const chaincodeDir = dirname(fileURLToPath(import.meta.url));

/** Packages loaded from node_modules at run time rather than bundled. */
export const EXTERNAL_PACKAGES = ['fabric-shim', 'fabric-contract-api', 'reflect-metadata'];

/**
 * Starts the server when the bundle is run as a program; a bundle that is only required (by
 * fabric-chaincode-node's `server --module-path`, or a test) just exports `contracts`.
 */
const START_WHEN_MAIN = `
if (require.main === module) {
  module.exports.main(process.argv.slice(2), process.env).then(
    (code) => { process.exitCode = code; },
    (error) => { console.error(error); process.exitCode = 1; },
  );
}`;

function compilerOptions(): ts.CompilerOptions {
  const configPath = join(chaincodeDir, '..', 'tsconfig.base.json');
  const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, dirname(configPath));
  // ES modules out, so that esbuild links them and writes the one CommonJS file.
  return {
    ...options,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    noEmit: false,
    inlineSourceMap: true,
    inlineSources: true,
  };
}

function diagnosticMessage(diagnostic: ts.Diagnostic, path: string): PartialMessage {
  const at =
    diagnostic.file && diagnostic.start !== undefined
      ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
      : undefined;
  return {
    id: `TS${diagnostic.code}`,
    text: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
    location: { file: path, line: (at?.line ?? 0) + 1, column: at?.character ?? 0 },
  };
}

/** Compiles each .ts file with TypeScript (decorator metadata included) before esbuild bundles it. */
function typescriptTranspile(options: ts.CompilerOptions): Plugin {
  return {
    name: 'typescript-transpile',
    setup(builder) {
      builder.onLoad({ filter: /\.ts$/ }, async ({ path }) => {
        const output = ts.transpileModule(await readFile(path, 'utf8'), {
          compilerOptions: options,
          fileName: path,
          reportDiagnostics: true,
        });
        const errors = (output.diagnostics ?? []).map((d) => diagnosticMessage(d, path));
        return { contents: output.outputText, loader: 'js', errors };
      });
    },
  };
}

/**
 * Writes the bundle.
 * @param outfile where to write it (default chaincode/dist/server.cjs); its folder must be inside
 * the repository so that the external packages resolve from node_modules.
 * @returns the files the bundle was built from, relative to the repository root.
 */
export async function buildChaincode(outfile = join(chaincodeDir, 'dist', 'server.cjs')): Promise<string[]> {
  const result = await build({
    absWorkingDir: join(chaincodeDir, '..'),
    entryPoints: [join(chaincodeDir, 'src', 'server.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Class names show in fabric's metadata and in stack traces; keep them as written.
    keepNames: true,
    external: EXTERNAL_PACKAGES,
    plugins: [typescriptTranspile(compilerOptions())],
    footer: { js: START_WHEN_MAIN },
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  return Object.keys(result.metafile.inputs).sort();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const inputs = await buildChaincode();
  process.stdout.write(`chaincode/dist/server.cjs: ${inputs.length} source files bundled\n`);
}
