// Gives each demo buyer partner a product in its inventory before the conformance run, so the "retrieve a product
// by id" case has one to read: orders one access line per partner through the gateway, as the partner, and waits
// (bounded) until the demo BSS, which moves every open order one step every few seconds, has completed it.
// Usage: node .ci/seed-demo-inventory.mjs BASE_URL
const base = process.argv[2];
const inDays = (n) => new Date(Date.now() + n * 86_400_000).toISOString();
const eline = (mbps) => ({ '@type': 'urn:mef:lso:spec:sonata:access-eline-ovc:v5.0.0:all', bandwidthMbps: mbps });
const siteRef = (id) => ({ '@type': 'GeographicSiteRef', role: 'INSTALL_LOCATION', id });
const PARTNERS = [
  {
    id: 'acme-telecom',
    secret: 'acme-demo-secret-2026',
    order: 'productOrderingManagement/v10',
    inventory: 'productInventory/v7',
    product: { productConfiguration: eline(100), place: [siteRef('ST-100001')] },
  },
  {
    id: 'globex-networks',
    secret: 'globex-demo-secret-2026',
    order: 'productOrderingManagement/v11',
    inventory: 'productInventory/v8',
    product: {
      productConfiguration: eline(100),
      place: [{ role: 'INSTALL_LOCATION', place: { '@type': 'GeographicSiteRef', id: 'ST-100003' } }],
    },
  },
  // Billie, at Initech's off-net Amsterdam office (up to 50 Mbit/s, 30 working days)
  {
    id: 'initech',
    secret: 'initech-demo-secret-2026',
    order: 'productOrderingManagement/v7',
    inventory: 'productInventory/v7',
    product: { productConfiguration: eline(10), place: [siteRef('ST-100031')] },
  },
];

async function call(method, path, token, body) {
  const res = await fetch(`${base}/mefApi/sonata/${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body && { 'content-type': 'application/json' }) },
    body: body && JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

const deadline = Date.now() + 120_000;
const seeded = await Promise.all(
  PARTNERS.map(async (p) => {
    const tokenRes = await fetch(`${base}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: p.id, client_secret: p.secret }),
    });
    const token = (await tokenRes.json()).access_token;
    const created = await call('POST', `${p.order}/productOrder`, token, {
      externalId: `ci-seed-${Date.now()}`,
      relatedContactInformation: [
        { role: 'productOrderContact', name: 'CI Seed', number: '+49 30 1234567', emailAddress: 'ci@example.com' },
      ],
      productOrderItem: [{ id: 'item-1', action: 'add', requestedCompletionDate: inDays(60), product: p.product }],
    });
    if (created.status !== 201) return `${p.id}: order refused ${created.status} ${JSON.stringify(created.body)}`;
    for (;;) {
      const inv = await call('GET', `${p.inventory}/product`, token);
      if (inv.status === 200 && Array.isArray(inv.body) && inv.body.length > 0) {
        console.log(`ci: ${p.id} has ${inv.body.length} product(s) in its inventory`);
        return undefined;
      }
      if (Date.now() > deadline) return `${p.id}: order ${created.body.id} not completed in time (inventory ${inv.status})`;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }),
);
const problems = seeded.filter(Boolean);
for (const p of problems) console.error(`ci: ${p}`);
process.exit(problems.length ? 1 : 0);
