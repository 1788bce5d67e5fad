// The administrator's "new account" form: checked the way the server checks it
// (POST /api/accounts), turned into the request body. Errors are i18n keys.

import type { Key } from '../i18n/nl';
import type { FormError } from './caseform';

/** Account roles (docs/openapi.yaml AccountInput.role). */
export const accountRoles = ['professional', 'chair', 'admin'] as const;
export type AccountRole = (typeof accountRoles)[number];

/** What the administrator typed. */
export interface AccountFormInput {
  email: string;
  name: string;
  organisation: string;
  discipline: string;
  role: AccountRole;
}

/** The body of POST /api/accounts. */
export interface AccountCreate {
  email: string;
  name: string;
  organisation: string;
  discipline?: string;
  role: AccountRole;
}

/** A form with nothing filled in and the role professional. */
export function emptyAccountForm(): AccountFormInput {
  return { email: '', name: '', organisation: '', discipline: '', role: 'professional' };
}

// One @, something before, a dot in the domain, no spaces: what a person can check by eye.
const emailShape = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Checks the form and builds the request, or returns the errors. */
export function buildAccount(f: AccountFormInput): { ok: true; body: AccountCreate } | { ok: false; errors: FormError[] } {
  const errors: FormError[] = [];
  const email = f.email.trim();
  const name = f.name.trim();
  const organisation = f.organisation.trim();
  const discipline = f.discipline.trim();
  const tooLong = (s: string, n: number) => [...s].length > n;
  const err = (field: string, key: Key) => errors.push({ field, key });
  if (!emailShape.test(email) || tooLong(email, 254)) err('email', 'admin.errEmail');
  if (!name) err('name', 'admin.errName');
  else if (tooLong(name, 100)) err('name', 'admin.errLong');
  if (!organisation) err('organisation', 'admin.errOrganisation');
  else if (tooLong(organisation, 100)) err('organisation', 'admin.errLong');
  if (tooLong(discipline, 100)) err('discipline', 'admin.errLong');
  if (!(accountRoles as readonly string[]).includes(f.role)) err('role', 'admin.errRole');
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, body: { email, name, organisation, ...(discipline ? { discipline } : {}), role: f.role } };
}
