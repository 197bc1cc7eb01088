import { Liquid, type Template } from 'liquidjs';

// Templates are written by people configuring a desk, and what they render is mailed to customers:
// no file system (liquidjs would otherwise let `{% include 'package.json' %}` read files below the
// working directory), and bounded work per render.
const OPTIONS = {
  strictFilters: true,
  ownPropertyOnly: true,
  cache: false,
  relativeReference: false,
  renderLimit: 1_000,
  memoryLimit: 10_000_000,
} as const;

/** An engine that knows no templates: what parses here renders without reading anything. */
export const liquid = new Liquid({ ...OPTIONS, templates: {} });

/**
 * An engine for one rule set: `{% render 'name' %}` and `{% include 'name' %}` find the set's
 * other named templates, in memory, and nothing else.
 */
export function templateEngine(sources: Readonly<Record<string, unknown>>): Liquid {
  const templates: Record<string, string> = {};
  for (const [name, text] of Object.entries(sources)) if (typeof text === 'string') templates[name] = text;
  return new Liquid({ ...OPTIONS, templates });
}

export type ParsedTemplate = Template[];

/** Parses a Liquid template, or returns the parser's complaint. */
export function parseTemplate(
  text: unknown,
  engine: Liquid = liquid,
): { template?: ParsedTemplate; error?: string } {
  if (typeof text !== 'string') return { error: `must be a Liquid template string, got ${typeof text}` };
  try {
    return { template: engine.parse(text) };
  } catch (error) {
    return { error: `does not parse: ${(error as Error).message}` };
  }
}

/**
 * Renders a parsed template with the given scope (ticket, requester, message, sla…). Partials
 * resolve through the engine that parsed the template.
 */
export function renderTemplate(template: ParsedTemplate, scope: object): string {
  return String(liquid.renderSync(template, scope)).trim();
}
