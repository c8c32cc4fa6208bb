// Table-driven Sigma rule tests: the cases live in YAML files in
// tests/unit/sigma_cases/ (one per topic), each a detection block and the events
// the rule must detect or must not:
//
//   - name: a value list is OR
//     category: process_creation        # the logsource category (default process_creation)
//     detection: |                      # the YAML under `detection:`
//       sel:
//           Image|endswith: ['/nc', '/ncat']
//       condition: sel
//     events:
//       - {process: [/usr/bin/ncat, ncat], hit: true}            # sigma_test::process(image, cmdline[, parent])
//       - {net: ["10.1.2.3", "80"], hit: false}                  # sigma_test::network(ip[, port])
//       - {event: file_event, fields: {TargetFilename: /x}, hit: true}  # only these fields
//       - {process: [/bin/ls, ls], fields: {User: root}, hit: false}   # fields set over process()
//   - name: a rule that does not load
//     detection: |
//       sel: {}
//       condition: sel
//     error: empty map                  # a part of the load error
#pragma once

#include <string>

namespace sigma_test {

// Loads every rule of the file and CHECKs each event against it (a case with
// `error` instead: the rule must not load, with an error containing that text).
void check_rule_cases(const std::string& file);

}  // namespace sigma_test
