/**
 * Sync: a CRM import that works with plain `AbortSignal`s (no ctxkit types at all). The rules see the signal
 * by its type, whatever it is called.
 */
import { setTimeout as delay } from "node:timers/promises";

export interface Contact {
  id: string;
  email: string;
}

export async function importContacts(abortSignal: AbortSignal, pages: number): Promise<Contact[]> {
  const out: Contact[] = [];
  for (let page = 1; page <= pages; page++) {
    // ctxkit/no-dropped-context: `abortSignal` is in scope; this fetch can outlive the import it belongs to.
    const res = await fetch(`https://crm.example/contacts?page=${page}`);
    out.push(...((await res.json()) as Contact[]));
    // ctxkit/no-dropped-context: `delay` accepts `{ signal }` in its options and is given options without it.
    await delay(250, undefined, { ref: false });
  }
  return out;
}

export async function pushContact(signal: AbortSignal, contact: Contact): Promise<void> {
  // ctxkit/no-dropped-context: a fresh controller's signal is never aborted by anyone; pass `signal`.
  const controller = new AbortController();
  await fetch("https://crm.example/contacts", { method: "PUT", body: JSON.stringify(contact), signal: controller.signal });
}
