import { Liquid, type Template } from 'liquidjs';

/** One engine for every rule set: templates are parsed when rules are defined, rendered synchronously. */
export const liquid = new Liquid({ strictFilters: true, ownPropertyOnly: true, cache: false });

export type ParsedTemplate = Template[];

/** Parses a Liquid template, or returns the parser's complaint. */
export function parseTemplate(text: unknown): { template?: ParsedTemplate; error?: string } {
  if (typeof text !== 'string') return { error: `must be a Liquid template string, got ${typeof text}` };
  try {
    return { template: liquid.parse(text) };
  } catch (error) {
    return { error: `does not parse: ${(error as Error).message}` };
  }
}

/** Renders a parsed template with the given scope (ticket, requester, message, sla…). */
export function renderTemplate(template: ParsedTemplate, scope: object): string {
  return String(liquid.renderSync(template, scope)).trim();
}
