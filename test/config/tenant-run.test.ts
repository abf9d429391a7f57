import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveTenantRunOptions } from '../../controller/config/tenant-run.ts';
import { UsageError } from '../../controller/config/usage-error.ts';

const rows: { name: string; values: Record<string, string>; env: Record<string, string>; want: { globalRate: number; concurrency: number } | RegExp }[] = [
  { name: 'defaults: 2000 requests a second across tenants, 12 tenants at once', values: {}, env: {}, want: { globalRate: 2000, concurrency: 12 } },
  { name: 'flags', values: { 'global-rate': '500', 'tenant-concurrency': '8' }, env: {}, want: { globalRate: 500, concurrency: 8 } },
  { name: 'the environment when no flag', values: {}, env: { FIRMWARDEN_GLOBAL_RATE: '300', FIRMWARDEN_TENANT_CONCURRENCY: '2' }, want: { globalRate: 300, concurrency: 2 } },
  { name: 'a flag beats the environment', values: { 'global-rate': '100' }, env: { FIRMWARDEN_GLOBAL_RATE: '300' }, want: { globalRate: 100, concurrency: 12 } },
  { name: 'zero is refused, naming the flag', values: { 'tenant-concurrency': '0' }, env: {}, want: /^--tenant-concurrency: "0" is not a whole number from 1 to 256$/ },
  { name: 'a fraction is refused, naming the variable', values: {}, env: { FIRMWARDEN_GLOBAL_RATE: '2.5' }, want: /^FIRMWARDEN_GLOBAL_RATE: "2.5" is not a whole number/ },
];

for (const row of rows) {
  test(row.name, () => {
    if (row.want instanceof RegExp) {
      const want = row.want;
      assert.throws(() => resolveTenantRunOptions(row.values, row.env), (e: Error) => e instanceof UsageError && want.test(e.message));
    } else {
      assert.equal(resolveTenantRunOptions(row.values, row.env), row.want);
    }
  });
}

test.run();
