// bell-load.mjs: what the bell's polling costs. Against a running `make dev`
// (development sign-in), 200 users ask for their unread count as fast as 20
// at a time can for 10 seconds, through the console's origin and the
// gateway; prints requests per second and latency. Bounded, local only:
//   node services/console/scripts/bell-load.mjs   (BASE=http://localhost:3000)
const base = process.env.BASE || 'http://localhost:3000';
const users = [];
for (let i = 0; i < 200; i++) {
  const r = await fetch(base + '/dev/token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ subject: `bell-load-${i}`, role: 'mentee' }) });
  users.push({ id: `bell-load-${i}`, tok: (await r.json()).token });
}
const lat = []; let errors = 0; const end = Date.now() + 10_000;
async function worker(k) {
  let i = k;
  while (Date.now() < end) {
    const u = users[i++ % users.length];
    const t0 = performance.now();
    const r = await fetch(`${base}/v1/users/${u.id}/notifications?pageSize=1`, { headers: { Authorization: `Bearer ${u.tok}` } });
    await r.arrayBuffer();
    if (r.status !== 200) errors++; else lat.push(performance.now() - t0);
  }
}
await Promise.all(Array.from({ length: 20 }, (_, k) => worker(k)));
lat.sort((a, b) => a - b);
const q = (p) => lat[Math.floor(p * (lat.length - 1))].toFixed(1);
console.log(`requests ${lat.length} errors ${errors} rps ${(lat.length / 10).toFixed(0)} p50 ${q(0.5)}ms p99 ${q(0.99)}ms`);
