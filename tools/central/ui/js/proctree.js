// The process an event is about (a process event's, or a detection's first evidence's). The
// process tree itself is built by the server (GET /api/v1/process_tree).
export function procOf(ev) {
  const e = ev.event || {};
  return e.process || (e.evidences && e.evidences[0] && e.evidences[0].process) || null;
}
