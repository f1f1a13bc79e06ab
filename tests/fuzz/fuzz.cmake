# libFuzzer targets (README, "Fuzzing"; scripts/fuzz.sh builds and runs them). Included from the
# top CMakeLists.txt when CF_FUZZ=ON, in a build folder of its own configured with
# CMAKE_CXX_COMPILER=clang++: the layers the targets need are compiled with the fuzzer's
# coverage instrumentation and ASan+UBSan, the targets are linked with libFuzzer's main().
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "CF_FUZZ needs clang++ (-DCMAKE_CXX_COMPILER=clang++)")
endif()
# -fno-sanitize-recover: undefined behaviour stops the run like a crash, also when a target is run
# by hand without UBSAN_OPTIONS=halt_on_error=1.
target_compile_options(cf_warnings INTERFACE -fsanitize=fuzzer-no-link,address,undefined
                                             -fno-sanitize-recover=all -fno-omit-frame-pointer)
target_link_options(cf_warnings INTERFACE -fsanitize=address,undefined -fno-sanitize-recover=all)

# Only util, domain and bus are fuzzed: the other layers stay out of this build's `all`.
set_target_properties(cf_storage cf_content cf_channels PROPERTIES EXCLUDE_FROM_ALL ON)

set(CF_FUZZ_TARGETS course_request stripe_event signature_header event_decode bus_inbound
                    redis_url)
foreach(name ${CF_FUZZ_TARGETS})
  add_executable(${name}_fuzz tests/fuzz/${name}_fuzz.cpp)
  target_link_libraries(${name}_fuzz PRIVATE cf_domain cf_warnings)
  target_compile_options(${name}_fuzz PRIVATE -fsanitize=fuzzer)
  target_link_options(${name}_fuzz PRIVATE -fsanitize=fuzzer)
endforeach()
target_link_libraries(redis_url_fuzz PRIVATE cf_bus)
