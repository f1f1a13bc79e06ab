# The published contracts (issue 16), included from CMakeLists.txt.
set(CF_UBSAN_ENV "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions=${CMAKE_CURRENT_SOURCE_DIR}/tests/ubsan.supp")

# docs/ (events.md, schemas/, openapi.json, asyncapi.json) regenerated from this build's
# catalogue and compared: a change of the catalogue without the documents fails here.
add_test(NAME contracts_in_step
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/tools/contracts/generate.py
                 $<TARGET_FILE:coursefactory> --check)
set_tests_properties(contracts_in_step PROPERTIES ENVIRONMENT "${CF_UBSAN_ENV}" TIMEOUT 60)

# The official parsers (npm, pinned in tests/contracts/package-lock.json, installed by
# scripts/setup.sh) accept both documents. Skipped (77) only outside CI without node_modules.
add_test(NAME contracts_parsers
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/tests/contracts/run_parsers.sh)
set_tests_properties(contracts_parsers PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)

# The real binary through lifecycles; every answer, event and webhook delivery checked against
# the documents (Debian's python3-jsonschema).
add_test(NAME contracts_e2e
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/tests/integration/contracts_test.py
                 $<TARGET_FILE:coursefactory>)
set_tests_properties(contracts_e2e PROPERTIES ENVIRONMENT "${CF_UBSAN_ENV}" TIMEOUT 120)
