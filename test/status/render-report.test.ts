// The fleet report (FLEET.md): what it says, that it is the same bytes when only time moved,
// that hostile names cannot break it, and that its Markdown and its Mermaid gantt are valid as
// the renderers read them: `marked` (the Markdown lexer mermaid itself uses) for the tables, and
// mermaid's own gantt parser and database for the diagram (mermaid needs a DOM for its
// sanitiser: happy-dom provides one, installed as devDependencies; nothing leaves the machine).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Window } from 'happy-dom';
import { marked, type Token, type Tokens } from 'marked';
import { buildPlan, type PlanInput } from '../../controller/plan/build-plan.ts';
import { forecast } from '../../controller/plan/forecast.ts';
import { renderFleetReport, type FleetReportView } from '../../controller/status/render-report.ts';
import { escapeMermaid, escapeText } from '../../controller/output/escape.ts';
import { displayName } from '../../controller/policy/manifest-keys.ts';
import { assertNoRawControls, assertNoWorkflowCommand, hostile } from '../support/hostile.ts';
import { at, day, device, group, hour, op, policy, release, scheduled, software } from '../plan/fixtures.ts';

const dom = new Window();
Object.assign(globalThis, { window: dom, document: dom.document });
// Imported after the DOM exists: mermaid's sanitiser looks for `window` when it loads.
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

// Saturday noon in Paris: the weekend window is open.
const now = at('2026-11-21T11:00:00Z');

/** Paris (two waves, one failed update, a downgrade refused, a clamped schedule) and a lab; names can be hostile. */
function input(name: string, at = now): PlanInput {
  const devices = [
    ...Array.from({ length: 6 }, (_, i) => device(`p${i + 1}`, { tags: ['paris'], serialNumber: `${name}-${i + 1}`, companyAssetTag: `IT-${i + 1}` })),
    device('l1', { tags: ['lab'], serialNumber: `${name}-lab` }),
  ];
  return {
    now: at,
    groups: [
      group(name, { policyRef: { name: 'p' }, selector: { tags: ['paris'] }, timeZone: 'Europe/Paris' }),
      group(`${name}-lab`, { policyRef: { name: 'lab' }, selector: { tags: ['lab'] }, timeZone: 'America/New_York' }),
    ],
    policies: [
      policy('p', {
        software: { firmware: { phase: 'Test' }, teamsClient: { mode: 'manual' } },
        maintenanceWindows: [{ name: 'weekend', days: ['Sat'], start: '00:00', duration: '48h' }],
        rollout: { waves: [{ percent: 50 }], bakeTime: '24h', maxConcurrent: 1 },
      }),
      policy('lab', { software: { firmware: { phase: 'Test' } }, maintenanceWindows: [{ name: `nights ${name}`, days: ['Tue'], start: '22:00', end: '05:00' }] }),
    ],
    scheduledUpdates: [
      scheduled('rollback', { targets: { deviceIds: ['p6'] }, software: [{ type: 'firmware', version: '0.9' }] }),
      scheduled('teams', { targets: { deviceIds: ['p5'] }, software: [{ type: 'teamsClient', version: '5.2' }], at: '2027-06-01T10:00', timeZone: 'Europe/Paris' }),
    ],
    devices,
    software: new Map(devices.map((d) => [d.id, software(d.id, { firmware: ['1.0', '1.1'], teamsClient: ['5.0', '5.2'] })])),
    operations: [op('p2', 'firmware', '1.1', { outcome: 'failed', startedAt: now - 5 * hour, endedAt: now - 4 * hour, errorCode: 'E42', errorMessage: `flash failed: ${name}` })],
    releases: [release('Bar', 'firmware', '1.1', now - 3 * day), release('Bar', 'teamsClient', '5.2', now - 40 * day)],
  };
}

function view(name: string, at = now): FleetReportView {
  const i = input(name, at);
  const plan = buildPlan(i);
  const byId = new Map(i.devices.map((d) => [d.id, d]));
  return { plan, deviceLabel: (id) => `${byId.get(id)?.serialNumber ?? ''}, id ${id}`, forecast: forecast(i, { days: 30 }) };
}

/** The Markdown's tokens, and the gantt's source. */
function lex(markdown: string): { tokens: Token[]; gantt: string } {
  const tokens = marked.lexer(markdown);
  const code = tokens.filter((t): t is Tokens.Code => t.type === 'code' && t.lang === 'mermaid');
  assert.is(code.length, 1, 'one mermaid block');
  return { tokens, gantt: code[0]!.text };
}

interface GanttTask {
  readonly task: string;
  readonly section: string;
  readonly startTime: Date;
  readonly endTime: Date;
}

/** The gantt as mermaid reads it: parsed (errors throw) and its tasks computed by mermaid's own database. */
async function readGantt(text: string): Promise<{ title: string; sections: string[]; tasks: GanttTask[] }> {
  const parsed = await mermaid.parse(text);
  assert.ok(parsed && parsed.diagramType === 'gantt', 'a gantt');
  const api = (mermaid as unknown as { mermaidAPI: { getDiagramFromText(t: string): Promise<{ db: Record<string, () => unknown> }> } }).mermaidAPI;
  const diagram = await api.getDiagramFromText(text);
  return { title: diagram.db.getDiagramTitle!() as string, sections: diagram.db.getSections!() as string[], tasks: diagram.db.getTasks!() as GanttTask[] };
}

/** Mermaid's entity codes (#58;) as the characters they show. */
// Mermaid's parser reads them as its placeholders (ﬂ°°58¶ß), which it turns back into characters when drawing.
const shown = (text: string) => text.replace(/(?:#|\ufb02\u00b0\u00b0)(\d+)(?:;|\u00b6\u00df)/g, (_, n: string) => String.fromCodePoint(Number(n))).trim();

const content = suite('renderFleetReport: what it says');

content('progress per group and wave in devices, failures and refusals named, clamps, windows in local time, and the gantt', async () => {
  const text = renderFleetReport(view('paris'));
  assert.match(text, /^# Fleet report\n/);
  // Six Paris devices in two waves: one failed, one refused (a downgrade asked for), the rest waiting or starting.
  assert.match(text, '| **paris** | all | 6 | 0 | 4 | 0 | 1 | 1 | 0 |');
  assert.match(text, '|  | 1 | 3 | 0 | 1 | 0 | 1 | 1 | 0 |');
  assert.match(text, '|  | 2 | 3 | 0 | 3 | 0 | 0 | 0 | 0 |');
  assert.match(text, '| **paris-lab** | 1 | 1 | 0 | 1 | 0 | 0 | 0 | 0 |');
  assert.match(text, '## Failed (1)');
  assert.match(text, '| paris-2, id p2 | paris | firmware | 1.0 → 1.1 | E42: the update to 1.1 failed: flash failed: paris;');
  assert.match(text, '## Refused (1)');
  assert.match(text, /\| paris-6, id p6 \| paris \| firmware \| 1\.0 → 0\.9 \| Downgrade \(rollback\): /);
  assert.match(text, '## Schedules moved earlier (0)');
  assert.match(text, '| paris | weekend | Sat 2026-11-21 00:00 Europe/Paris | Mon 2026-11-23 00:00 Europe/Paris | - |');
  assert.match(text, '| paris-lab | nights paris | Tue 2026-11-24 22:00 America/New\\_York | Wed 2026-11-25 05:00 America/New\\_York | - |');
  const { gantt } = lex(text);
  const read = await readGantt(gantt);
  assert.is(read.title, 'Updates forecast for the next 30 days');
  assert.equal(read.sections.map(shown), ['paris', 'paris-lab']);
  const tasks = read.tasks.map((t) => [t.section, shown(t.task), t.startTime.toISOString().slice(0, 10), Math.round((t.endTime.getTime() - t.startTime.getTime()) / day)]);
  assert.equal(tasks[0], ['paris', 'Wave 1 firmware 1.1, 2 devices', '2026-11-21', 1]);
  assert.ok(tasks.some(([section, task]) => section === 'paris' && String(task).startsWith('Wave 2 firmware 1.1')), JSON.stringify(tasks));
  assert.ok(tasks.some(([section, task, start]) => section === 'paris-lab' && task === 'Wave 1 firmware 1.1, 1 device' && start === '2026-11-24'), JSON.stringify(tasks));
  for (const t of read.tasks) assert.ok(t.startTime.getTime() >= Date.parse('2026-11-21') && t.endTime.getTime() <= Date.parse('2026-12-22'), 'within the 30 days');
});

content('a clamped schedule is listed with both local times; long lists end with "and N more"', () => {
  const i = input('paris');
  const extra = Array.from({ length: 25 }, (_, k) => device(`x${k}`, { tags: ['paris'] }));
  const many: PlanInput = {
    ...i,
    devices: [...i.devices, ...extra],
    software: new Map([...i.software, ...extra.map((d) => [d.id, software(d.id, { firmware: ['1.0', '1.1'] })] as const)]),
    operations: [...i.operations, ...extra.map((d) => op(d.id, 'firmware', '1.1', { outcome: 'failed', startedAt: now - 5 * hour }))],
    // The lab's firmware under the General phase: a schedule past its 30 days is moved earlier.
    policies: [i.policies[0]!, policy('lab', { software: { firmware: { mode: 'manual' } } })],
    scheduledUpdates: [...i.scheduledUpdates, scheduled('late', { targets: { deviceIds: ['l1'] }, software: [{ type: 'firmware', version: '1.1' }], at: '2027-03-01T10:00', timeZone: 'America/New_York' })],
  };
  const text = renderFleetReport({ plan: buildPlan(many), deviceLabel: (id) => id, forecast: undefined });
  assert.match(text, '## Failed (26)');
  assert.match(text, '…and 6 more.');
  assert.match(text, '## Schedules moved earlier (1)');
  assert.match(text, '| l1 | firmware | 1.1 | Mon 2027-03-01 10:00 America/New\\_York | Fri 2026-12-18 06:00 America/New\\_York | the General phase installs firmware at most 30 days after its release |');
  assert.match(text, 'No forecast: not computed;');
});

const stable = suite('renderFleetReport: the same bytes when only time moved');

for (const minutes of [1, 10, 45]) {
  stable(`${minutes} min later, with the forecast simulated again, nothing changes`, () => {
    assert.is(renderFleetReport(view('paris', now + minutes * 60_000)), renderFleetReport(view('paris')));
  });
}

stable('no clock time in the text except the plan\'s own instants', () => {
  const text = renderFleetReport(view('paris'));
  assert.not.match(text, /generated|updated at|ago\b|\bin \d+ (min|h|days)\b/i);
  assert.not.match(text, '2026-11-21 11:00');
});

const hostileNames = suite('renderFleetReport: hostile group, window and device names');

const benign = renderFleetReport(view('paris'));
for (const [what, value] of [...hostile, ['Mermaid breakers', 'a:b #x; %%{init: {"theme":"dark"}}%% section evil\n```'] as const]) {
  hostileNames(what, async () => {
    const text = renderFleetReport(view(value));
    assert.is(text.split('\n').length, benign.split('\n').length, text);
    assertNoRawControls(text, what);
    assertNoWorkflowCommand(text, what);
    const { tokens, gantt } = lex(text);
    // Every table keeps its columns, and no value became a link, an image or HTML.
    const walk = (list: readonly Token[]): void => {
      for (const t of list) {
        assert.not.ok(['html', 'link', 'image'].includes(t.type), `${what}: a ${t.type} token: ${t.raw}`);
        if (t.type === 'table') {
          const table = t as Tokens.Table;
          for (const row of table.rows) {
            assert.is(row.length, table.header.length, `${what}: ${row.map((c) => c.text).join(' | ')}`);
            for (const cell of row) walk(cell.tokens);
          }
        }
        if ('tokens' in t && Array.isArray(t.tokens)) walk(t.tokens as Token[]);
      }
    };
    walk(tokens);
    const read = await readGantt(gantt);
    // Mermaid reads the section as the whole name (controls shown as escapes), the tasks as whole bars.
    assert.is(shown(read.sections[0]!), escapeText(displayName(`default/${value}`).replace(/[\t\n\r\u2028\u2029 ]+/g, ' ')).trim().slice(0, 80));
    assert.is(read.tasks.length, (await readGantt(lex(benign).gantt)).tasks.length);
    for (const t of read.tasks) assert.match(shown(t.task), /^(Wave \d|Scheduled) /);
  });
}

const escaping = suite('escapeMermaid');

const cases: [string, string][] = [
  ['paris-floor.3', 'paris-floor.3'],
  ['a:b', 'a#58;b'],
  ['#9829; ;', '#35;9829#59; #59;'],
  ['%%{init}%%', '#37;#37;#123;init#125;#37;#37;'],
  ['x\ny', 'x y'],
  ['x\u001b[31m', 'x#92;x1b#91;31m'],
  ['Café Zürich', 'Café Zürich'],
];
for (const [value, expected] of cases) escaping(JSON.stringify(value), () => assert.is(escapeMermaid(value), expected));
escaping('long values are cut to the length asked, with an ellipsis', () => assert.is(escapeMermaid('x'.repeat(100), 10), `${'x'.repeat(9)}#8230;`));

content.run();
stable.run();
hostileNames.run();
escaping.run();
