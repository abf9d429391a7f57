// The plan for people: plain text for a terminal, Markdown for a pull-request comment, and a
// JSON document for tools. A summary per group first, then the devices that change: to which
// version, at what local time, under which rule; clamps flagged; ScheduledUpdate requests that
// were refused, in every format and whatever rule decided the device (never hidden). Pure.
//
// One file per format (render-plan-text.ts, render-plan-markdown.ts, plan-json.ts) over the rows
// they share (plan-rows.ts); this module is what the commands import.
export { deviceLabel, describeFleet, type PlanView } from './plan-rows.ts';
export { renderPlanText } from './render-plan-text.ts';
export { renderPlanMarkdown } from './render-plan-markdown.ts';
export { planToJson } from './plan-json.ts';
