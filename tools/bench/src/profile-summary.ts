import { readFileSync } from 'node:fs';

// `node --import tsx tools/bench/src/profile-summary.ts FILE.cpuprofile [N]`: self time by
// function (and by file), to read a subject's --cpu-prof without a browser.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, top = '30'] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary.ts FILE.cpuprofile [N]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
const byFile = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  total += dt;
  const node = byId.get(id)!;
  const url = node.callFrame.url.replace(/^file:\/\/.*?\/(node_modules|libs|tools)\//, '$1/');
  const key = `${node.callFrame.functionName || '(anonymous)'} ${url}:${node.callFrame.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + dt);
  byFile.set(url || node.callFrame.functionName, (byFile.get(url || node.callFrame.functionName) ?? 0) + dt);
});
const show = (map: Map<string, number>) =>
  [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(top))
    .map(
      ([k, v]) =>
        `${((100 * v) / total).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`,
    )
    .join('\n');
console.log(
  `total ${(total / 1000).toFixed(0)} ms\n\nself time by function:\n${show(self)}\n\nby file:\n${show(byFile)}`,
);
