// Runs smartcrop.js (npm "smartcrop") on raw RGBA images listed in jobs.json; writes results.json.
// Usage: node smartcrop-runner.js DIR   (DIR holds jobs.json and the .rgba files; smartcrop is
// resolved from DIR/node_modules, installed there with `npm install smartcrop`).
const path = require('path');
const fs = require('fs');
const dir = process.argv[2];
const smartcrop = require(path.join(dir, 'node_modules', 'smartcrop'));
const jobs = JSON.parse(fs.readFileSync(path.join(dir, 'jobs.json'), 'utf8'));
const iop = {
  open: (img) => Promise.resolve(img),
  resample: (img, w, h) => Promise.reject(new Error('resample not expected: images are prescaled')),
  getData: (img) => Promise.resolve(img),
};
(async () => {
  const out = [];
  const t0 = process.hrtime.bigint();
  for (const j of jobs) {
    const data = fs.readFileSync(path.join(dir, j.file));
    const img = new smartcrop.ImgData(j.w, j.h, data);
    const r = await smartcrop.crop(img, { width: j.aspectW, height: j.aspectH, imageOperations: iop, prescale: false });
    const c = r.topCrop;
    out.push({ id: j.id, x: c.x, y: c.y, w: c.width, h: c.height });
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify({ ms: ms, crops: out }));
})().catch((e) => { console.error(e); process.exit(1); });
