import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Every `@example` in the doc comments of every package's public surface is code a reader copies,
// so each one is type-checked here against the package's real exports, all in one program (one
// program keeps it to seconds: the packages are checked once, not once per example). And every
// exported function must have one.

const root = fileURLToPath(new URL('../../../', import.meta.url));
const PACKAGES = [
  'core',
  'sla',
  'rules',
  'email',
  'store-sqlite',
  'store-postgres',
  'store-sql',
  'mail-smtp',
  'testing',
  'reports',
] as const;

/**
 * What an example may take as given without writing it: the objects a reader already has in hand
 * when reading about a method. Declared globally, so an example that makes its own `desk` shadows
 * this one rather than clashing with it.
 */
const PREAMBLE = `import type { Actor, Helpdesk, MailTransport, StoredEvent, Store, Ticket, TicketSummary, Workflow } from '@tessera/core';
import type { WorkingTimeCalendar } from '@tessera/sla';
import type * as FastCheck from 'fast-check';
declare global {
  /** A desk, as createHelpdesk returns it. */
  const desk: Helpdesk;
  /** A store, as inMemoryStore() or an adapter returns it. */
  const store: Store;
  /** Someone acting, a customer and an agent. */
  const actor: Actor;
  const customer: Actor;
  const agent: Actor;
  /** A ticket as desk.get returns it, its index row, one of its events and its history. */
  const ticket: Ticket;
  const summary: TicketSummary;
  const event: StoredEvent;
  const events: StoredEvent[];
  /** A workflow named support, as defineWorkflow returns it. */
  const support: Workflow;
  /** A business calendar named office, as businessCalendar() returns it. */
  const office: WorkingTimeCalendar;
  /** The reply-token secret, a mail transport, and one raw inbound mail. */
  const secret: string;
  const transport: MailTransport;
  const raw: string;
  /** fast-check, as \`import fc from 'fast-check'\` gives it. */
  const fc: typeof FastCheck;
}
export {};
`;

interface Example {
  /** `@tessera/<pkg>:<declaration>` and, for a member, `.member`. */
  where: string;
  /** `where#n`: the n-th example of that declaration (from 1). */
  key: string;
  pkg: string;
  code: string;
}

interface Surface {
  examples: Example[];
  /** `@tessera/<pkg>:<name>` of every exported function, and whether it has an example. */
  functions: Map<string, boolean>;
  /** Per package: the exported names, and whether each is a value (else a type only). */
  exports: Map<string, Map<string, boolean>>;
}

const compilerOptions = (): ts.CompilerOptions => {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    `${root}tsconfig.json`,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error('tsconfig.json could not be read');
  // No DOM: the packages are edge-safe and their examples must not lean on a browser global (with
  // lib.dom an undeclared \`event\` is silently window.event).
  return { ...parsed.options, noEmit: true, lib: ['lib.es2023.d.ts'] };
};

/** The text of an `@example` tag as written, without the comment's leading stars or a code fence. */
function exampleText(tag: ts.JSDocTag): string {
  const raw = tag.getSourceFile().text.slice(tag.pos, tag.end);
  const lines = raw
    .replace(/\*\/\s*$/, '')
    .split('\n')
    .map((line) => line.replace(/^\s*\*? ?/, ''));
  lines[0] = lines[0]!.replace(/^@example\s*/, '').replace(/<caption>.*?<\/caption>/, '');
  return lines
    .filter((line) => !/^```/.test(line.trim()))
    .join('\n')
    .trim();
}

function examplesOf(node: ts.Node): string[] {
  return ts
    .getJSDocTags(node)
    .filter((tag) => tag.tagName.text === 'example')
    .map(exampleText)
    .filter((code) => code.length > 0);
}

const isFunctionLike = (decl: ts.Declaration): boolean =>
  ts.isFunctionDeclaration(decl) ||
  (ts.isVariableDeclaration(decl) &&
    decl.initializer !== undefined &&
    (ts.isArrowFunction(decl.initializer) || ts.isFunctionExpression(decl.initializer)));

function readSurface(program: ts.Program): Surface {
  const checker = program.getTypeChecker();
  const surface: Surface = { examples: [], functions: new Map(), exports: new Map() };
  for (const pkg of PACKAGES) {
    const index = program.getSourceFile(`${root}packages/${pkg}/src/index.ts`);
    const moduleSymbol = index && checker.getSymbolAtLocation(index);
    if (!moduleSymbol) throw new Error(`packages/${pkg}/src/index.ts is not a module`);
    const names = new Map<string, boolean>();
    surface.exports.set(pkg, names);
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const name = exported.getName();
      names.set(name, (symbol.flags & ts.SymbolFlags.Value) !== 0);
      const where = `@tessera/${pkg}:${name}`;
      let functionHasExample: boolean | undefined;
      for (const decl of symbol.declarations ?? []) {
        const own = examplesOf(decl);
        for (const code of own) surface.examples.push({ where, key: '', pkg, code });
        if (isFunctionLike(decl)) functionHasExample = (functionHasExample ?? false) || own.length > 0;
        // The members of an exported interface, class or object type are part of its doc: a
        // method's example is read as closely as the function's.
        if (
          ts.isInterfaceDeclaration(decl) ||
          ts.isClassDeclaration(decl) ||
          ts.isTypeAliasDeclaration(decl)
        ) {
          decl.forEachChild(function visit(child) {
            if (ts.isTypeElement(child) || ts.isClassElement(child)) {
              const member = child.name && ts.isIdentifier(child.name) ? child.name.text : '?';
              for (const code of examplesOf(child))
                surface.examples.push({ where: `${where}.${member}`, key: '', pkg, code });
            }
            if (ts.isTypeLiteralNode(child) || ts.isIntersectionTypeNode(child) || ts.isUnionTypeNode(child))
              child.forEachChild(visit);
          });
        }
      }
      if (functionHasExample !== undefined) surface.functions.set(where, functionHasExample);
    }
  }
  const seen = new Map<string, number>();
  for (const example of surface.examples) {
    const n = (seen.get(example.where) ?? 0) + 1;
    seen.set(example.where, n);
    example.key = `${example.where}#${n}`;
  }
  return surface;
}

/** The names an example declares or imports itself: those it must not be given an import for. */
function ownNames(code: string): Set<string> {
  const names = new Set<string>();
  for (const m of code.matchAll(
    /\b(?:const|let|var|function|class|type|interface|enum)\s+([A-Za-z_$][\w$]*)/g,
  ))
    names.add(m[1]!);
  for (const m of code.matchAll(/\b(?:const|let|var)\s*[{[]([^=]*)[}\]]\s*=/g))
    for (const n of m[1]!.matchAll(/([A-Za-z_$][\w$]*)\s*(?:[,}\]=]|$)/g)) names.add(n[1]!);
  for (const m of code.matchAll(/^\s*import\s+(?:type\s+)?\{([^}]*)\}/gm))
    for (const n of m[1]!.split(',')) {
      const local = n
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .pop()!;
      if (local) names.add(local);
    }
  for (const m of code.matchAll(/^\s*import\s+(?:\*\s+as\s+)?([A-Za-z_$][\w$]*)\s+from/gm)) names.add(m[1]!);
  return names;
}

/**
 * The module for one example: an import of each public name it uses (its own package's first, then
 * the others'), then the example as written.
 */
function moduleFor(example: Example, exports: Surface['exports']): string {
  const own = ownNames(example.code);
  const used = new Set(example.code.match(/[A-Za-z_$][\w$]*/g));
  const byPackage = new Map<string, string[]>();
  const order = [example.pkg, ...PACKAGES.filter((p) => p !== example.pkg)];
  const given = new Set<string>();
  for (const pkg of order) {
    for (const [name, isValue] of exports.get(pkg)!) {
      if (!used.has(name) || own.has(name) || given.has(name)) continue;
      given.add(name);
      const list = byPackage.get(pkg) ?? [];
      list.push(isValue ? name : `type ${name}`);
      byPackage.set(pkg, list);
    }
  }
  const imports = [...byPackage].map(
    ([pkg, list]) => `import { ${list.join(', ')} } from '@tessera/${pkg}';`,
  );
  return `${imports.join('\n')}\n// ${example.key}\n${example.code}\nexport {};\n`;
}

/** The first few diagnostics of one file of the program, or undefined when it compiles. */
function problemsOf(program: ts.Program, file: string): string | undefined {
  const source = program.getSourceFile(file)!;
  const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
  if (diagnostics.length === 0) return undefined;
  return diagnostics
    .slice(0, 3)
    .map((d) => {
      const line = d.start === undefined ? '?' : source.getLineAndCharacterOfPosition(d.start).line + 1;
      return `    line ${line}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    })
    .join('\n');
}

// One program of the packages' public surface, read by every part of this file.
const options = compilerOptions();
const indexes = PACKAGES.map((pkg) => `${root}packages/${pkg}/src/index.ts`);
const first = ts.createProgram({ rootNames: indexes, options });

describe('the @example of every exported declaration', () => {
  const surface = readSurface(first);

  const dir = `${root}packages/testing/.tmp/doc-examples/`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}preamble.ts`, PREAMBLE);
  const files = surface.examples.map((example, i) => {
    const file = `${dir}example-${String(i + 1).padStart(3, '0')}.ts`;
    writeFileSync(file, moduleFor(example, surface.exports));
    return { file, example };
  });

  it('there are examples, and each package has some', () => {
    expect(surface.examples.length).toBeGreaterThan(50);
    const without = PACKAGES.filter((pkg) => !surface.examples.some((e) => e.pkg === pkg));
    expect(without).toEqual([]);
  });

  it('every example compiles against the public exports', () => {
    // One program for all of them; the old one is handed in so the packages' files are reused.
    const program = ts.createProgram({
      rootNames: [...indexes, `${dir}preamble.ts`, ...files.map((f) => f.file)],
      options,
      oldProgram: first,
    });
    const failing = new Map<string, string>();
    for (const { file, example } of files) {
      const why = problemsOf(program, file);
      if (why !== undefined) failing.set(example.key, `${example.key} (${file.slice(root.length)})\n${why}`);
    }
    const failures = [...failing.values()];
    expect(failures, `examples that do not compile:\n${failures.join('\n')}`).toEqual([]);
  }, 120_000);

  it('every exported function has an @example', () => {
    const lacking = [...surface.functions].filter(([, has]) => !has).map(([where]) => where);
    expect(lacking).toEqual([]);
  });
});

// Each package's README is its npm page: it says how to install the package, its example is a
// whole module that compiles as printed (no preamble: a reader copies it into an empty file), and
// its links lead somewhere.
describe('the README of every package', () => {
  const dir = `${root}packages/testing/.tmp/readme-examples/`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const pages = PACKAGES.map((pkg) => {
    const path = `${root}packages/${pkg}/README.md`;
    const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
    const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const files = blocks.map((code, i) => {
      const file = `${dir}${pkg}-${i + 1}.ts`;
      writeFileSync(file, `${code}\nexport {};\n`);
      return file;
    });
    return { pkg, path, text, files };
  });

  it('each has one, with an install line and an example, and its package ships it', () => {
    const lacking = pages
      .filter(
        ({ pkg, text, files }) =>
          !text.includes(`npm install`) || !text.includes(`@tessera/${pkg}`) || files.length === 0,
      )
      .map(({ pkg }) => pkg);
    expect(lacking).toEqual([]);
    const unshipped = PACKAGES.filter((pkg) => {
      const manifest = JSON.parse(readFileSync(`${root}packages/${pkg}/package.json`, 'utf8')) as {
        files?: string[];
      };
      return !manifest.files?.includes('README.md');
    });
    expect(unshipped).toEqual([]);
  });

  it('every example compiles as printed', () => {
    const program = ts.createProgram({
      rootNames: pages.flatMap((p) => p.files),
      options,
      oldProgram: first,
    });
    const failures = pages.flatMap(({ pkg, files }) =>
      files.flatMap((file, i) => {
        const why = problemsOf(program, file);
        return why === undefined ? [] : [`packages/${pkg}/README.md, example ${i + 1}\n${why}`];
      }),
    );
    expect(failures, failures.join('\n')).toEqual([]);
  }, 120_000);

  it('every relative link leads to a file', () => {
    const broken = pages.flatMap(({ pkg, path, text }) =>
      [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
        .map((m) => m[1]!)
        .filter((target) => !/^[a-z]+:/.test(target))
        .filter((target) => !existsSync(fileURLToPath(new URL(target, `file://${path}`))))
        .map((target) => `packages/${pkg}/README.md → ${target}`),
    );
    expect(broken).toEqual([]);
  });
});

/** The property names of an exported interface or type of a package, read from its declaration. */
function membersOf(pkg: string, name: string): string[] {
  const checker = first.getTypeChecker();
  const index = first.getSourceFile(`${root}packages/${pkg}/src/index.ts`)!;
  const exported = checker
    .getExportsOfModule(checker.getSymbolAtLocation(index)!)
    .find((s) => s.getName() === name);
  if (!exported) throw new Error(`@tessera/${pkg} does not export ${name}`);
  const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  return checker
    .getDeclaredTypeOfSymbol(symbol)
    .getProperties()
    .map((p) => p.getName());
}

// docs/reference.md is one table of the shapes a user types against: it must name each of them,
// so an option or a field added to the code without a row fails here.
describe('docs/reference.md', () => {
  const page = readFileSync(`${root}docs/reference.md`, 'utf8');
  const rows = page.split('\n').filter((line) => line.startsWith('| `'));
  const hasRow = (name: string) => rows.some((row) => row.startsWith(`| \`${name}\``));

  it('has a row for every createHelpdesk option and every smtpReceiver option', () => {
    const missing = [
      ...membersOf('core', 'HelpdeskOptions').filter((key) => !hasRow(key)),
      ...membersOf('mail-smtp', 'SmtpReceiverOptions')
        .filter((key) => !hasRow(key))
        .map((key) => `smtpReceiver: ${key}`),
    ];
    expect(missing).toEqual([]);
  });

  it("has a row for every method of the desk and every member of smtpReceiver's result", () => {
    const missing = [
      ...membersOf('core', 'Helpdesk')
        .filter((m) => !['store', 'workflows', 'extensions'].includes(m))
        .filter((m) => !rows.some((row) => row.startsWith(`| \`desk.${m}(`)))
        .map((m) => `desk.${m}`),
      ...membersOf('mail-smtp', 'SmtpReceiver').filter((m) => !hasRow(m) && !hasRow(`${m}()`)),
    ];
    expect(missing).toEqual([]);
  });

  it("names every field of execute's result and of a query page", () => {
    const fields = [...membersOf('core', 'ExecuteResult'), ...membersOf('core', 'Page')];
    // Each is explained where it is named: `field`: what it holds.
    expect(fields.filter((f) => !page.includes(`\`${f}\`:`))).toEqual([]);
  });
});
