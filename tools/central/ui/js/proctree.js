// Process tree of one process event, built from the agent's process events around it:
// ancestors by parent pid (nearest first), children whose parent is the process. Pure (no
// DOM), so it can be tested on its own.
export function procOf(ev) {
  const e = ev.event || {};
  return e.process || (e.evidences && e.evidences[0] && e.evidences[0].process) || null;
}

export function buildTree(target, events) {
  const me = procOf(target);
  if (!me) return null;
  const byPid = new Map();
  for (const ev of events) {
    const p = procOf(ev);
    if (p && p.pid !== undefined && !byPid.has(p.pid)) byPid.set(p.pid, ev);
  }
  const ancestors = [];
  const seen = new Set([me.pid]);
  let parentPid = me.parent_process && me.parent_process.pid;
  while (parentPid !== undefined && !seen.has(parentPid) && ancestors.length < 32) {
    seen.add(parentPid);
    const ev = byPid.get(parentPid);
    if (!ev) {
      ancestors.push({pid: parentPid, cmd_line: me.parent_process && ancestors.length === 0 ? me.parent_process.cmd_line : '', event: null});
      break;
    }
    const p = procOf(ev);
    ancestors.push({pid: p.pid, cmd_line: p.cmd_line, event: ev});
    parentPid = p.parent_process && p.parent_process.pid;
  }
  const children = events.filter(ev => {
    const p = procOf(ev);
    return p && p.parent_process && p.parent_process.pid === me.pid && p.pid !== me.pid;
  }).map(ev => ({pid: procOf(ev).pid, cmd_line: procOf(ev).cmd_line, event: ev}));
  return {self: {pid: me.pid, cmd_line: me.cmd_line, event: target}, ancestors: ancestors.reverse(), children};
}
