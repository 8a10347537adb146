# Warnings, sanitizers and the helper every falcon target uses.
add_library(falcon_options INTERFACE)
target_compile_options(falcon_options INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wnon-virtual-dtor -Wno-missing-field-initializers>
  # GCC spells it -Wshadow=local; clang (fuzz builds) does not know that option.
  $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CXX_COMPILER_ID:GNU>>:-Wshadow=local>)
if(FALCON_WERROR)
  target_compile_options(falcon_options INTERFACE $<$<COMPILE_LANGUAGE:CXX>:-Werror>
                                                  $<$<COMPILE_LANGUAGE:CUDA>:-Werror=all-warnings>)
endif()
if(FALCON_SANITIZE)
  set(_san "-fsanitize=${FALCON_SANITIZE}")
  target_compile_options(falcon_options INTERFACE $<$<COMPILE_LANGUAGE:CXX,C>:${_san} -fno-omit-frame-pointer -fno-sanitize-recover=all>)
  target_link_options(falcon_options INTERFACE ${_san})
  # Sanitizer instrumentation changes GCC's inlining and produces -Wmaybe-uninitialized
  # false positives inside libstdc++ (std::regex's std::function states, GCC 12). The ci
  # preset still builds the same code with that warning as an error.
  target_compile_options(falcon_options INTERFACE
    $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CXX_COMPILER_ID:GNU>>:-Wno-maybe-uninitialized>)
endif()
if(FALCON_FUZZ)
  # Coverage feedback from the code under test, not only from the fuzz harness: without
  # this, libFuzzer sees the edges of fuzz_*.cpp alone and mutates blindly inside falcon_core
  # (the fuzz targets add -fsanitize=fuzzer, which also links libFuzzer's main).
  target_compile_options(falcon_options INTERFACE $<$<COMPILE_LANGUAGE:CXX,C>:-fsanitize=fuzzer-no-link>)
endif()
