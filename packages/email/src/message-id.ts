/**
 * Message-ID handling shared by parsing, threading and resolving. Message-IDs travel in their
 * header form, angle brackets included (`<abc@example.com>`); comparisons use the normalised
 * form without brackets, with a quoted local part unquoted (`<"a b"@x>` and `<a b@x>` match,
 * as RFC 5322 makes them the same identifier). Case is preserved: Message-IDs are case-sensitive.
 */

/** The normalised id (no brackets, quotes on the local part removed) or `undefined` if invalid. */
export function normalizeMessageId(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const open = value.indexOf('<');
  let inner: string;
  if (open >= 0) {
    const close = value.indexOf('>', open + 1);
    if (close < 0) return undefined;
    inner = value.slice(open + 1, close).trim();
  } else {
    inner = value.trim();
    if (/\s/.test(inner)) return undefined;
  }
  return validate(inner);
}

function validate(inner: string): string | undefined {
  const at = inner.lastIndexOf('@');
  if (at <= 0 || at === inner.length - 1) return undefined;
  let local = inner.slice(0, at);
  const domain = inner.slice(at + 1);
  if (local.length >= 2 && local.startsWith('"') && local.endsWith('"')) {
    local = local.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  if (!local) return undefined;
  return `${local}@${domain}`;
}

/**
 * Every valid Message-ID in a References / In-Reply-To value, in order, normalised. Accepts the
 * header string or an already-split array; bare `local@domain` tokens without brackets count too,
 * since some clients write them.
 */
export function messageIdList(value: string | readonly string[] | null | undefined): string[] {
  if (!value) return [];
  const parts = typeof value === 'string' ? [value] : value;
  const out: string[] = [];
  for (const part of parts) {
    if (typeof part !== 'string') continue;
    let i = 0;
    let sawBracket = false;
    while (i < part.length) {
      const open = part.indexOf('<', i);
      if (open < 0) break;
      const close = part.indexOf('>', open + 1);
      if (close < 0) break;
      sawBracket = true;
      const id = validate(part.slice(open + 1, close).trim());
      if (id) out.push(id);
      i = close + 1;
    }
    if (!sawBracket) {
      for (const token of part.split(/[\s,]+/)) {
        const id = token ? validate(token) : undefined;
        if (id) out.push(id);
      }
    }
  }
  return out;
}

/** `<id>` form of a normalised id. */
export function bracket(id: string): string {
  return `<${id}>`;
}
