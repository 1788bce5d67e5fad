import { describe, expect, it } from 'vitest';
import { buildAccount, emptyAccountForm, type AccountFormInput } from './accountform';

function form(over: Partial<AccountFormInput> = {}): AccountFormInput {
  return { ...emptyAccountForm(), email: ' v2@demo.tafel ', name: 'Vera Voorzitter', organisation: 'Veilig Thuis', role: 'chair', ...over };
}
const keys = (r: ReturnType<typeof buildAccount>) => (r.ok ? [] : r.errors.map((e) => e.key));

describe('buildAccount', () => {
  it('builds the body of POST /api/accounts, trimmed, discipline only when given', () => {
    expect(buildAccount(form())).toEqual({
      ok: true,
      body: { email: 'v2@demo.tafel', name: 'Vera Voorzitter', organisation: 'Veilig Thuis', role: 'chair' },
    });
    const r = buildAccount(form({ discipline: ' jeugdarts ' }));
    expect(r.ok && r.body.discipline).toBe('jeugdarts');
  });

  it('starts as a professional', () => {
    expect(emptyAccountForm().role).toBe('professional');
  });

  it('refuses what the server would refuse', () => {
    expect(keys(buildAccount(form({ email: 'geen-adres' })))).toEqual(['admin.errEmail']);
    expect(keys(buildAccount(form({ email: 'a b@c.nl' })))).toEqual(['admin.errEmail']);
    expect(keys(buildAccount(form({ name: ' ', organisation: '' })))).toEqual(['admin.errName', 'admin.errOrganisation']);
    expect(keys(buildAccount(form({ name: 'x'.repeat(101), discipline: 'y'.repeat(101) })))).toEqual(['admin.errLong', 'admin.errLong']);
    expect(keys(buildAccount(form({ role: 'root' as never })))).toEqual(['admin.errRole']);
  });
});
