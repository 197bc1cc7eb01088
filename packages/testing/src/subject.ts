/** What a conformance factory returns: the adapter, or the adapter with a way to close it. */
export type Subject<T> = T | { subject: T; close(): Promise<void> | void };

/** A fresh adapter per test. */
export type Factory<T> = () => Subject<T> | Promise<Subject<T>>;

export async function open<T extends object>(
  factory: Factory<T>,
): Promise<{ subject: T; close: () => Promise<void> }> {
  const made = await factory();
  if (made && typeof made === 'object' && 'subject' in made && 'close' in made) {
    const { subject, close } = made as { subject: T; close(): Promise<void> | void };
    return { subject, close: async () => void (await close()) };
  }
  return { subject: made as T, close: async () => {} };
}
