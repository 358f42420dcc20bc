# Pipeline benchmarks (docs/benchmarks.md). Each prints figures and never
# asserts timings. Use a RelWithDebInfo build, not a sanitizer one, and run
# one at a time:  cmake --build BUILD --target bench-…
set(_bench_pipeline_deps studio-recorder gststudioseal)

add_custom_target(bench-seal-pipeline-cost
                  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/seal-pipeline-cost.sh ${CMAKE_BINARY_DIR}
                  DEPENDS ${_bench_pipeline_deps}
                  USES_TERMINAL
                  COMMENT "CPU cost of sealing: 60 s live recording into filesink vs studiosealsink (target <= 2 % extra)")
add_custom_target(bench-recorder-vs-ffmpeg
                  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/recorder-vs-ffmpeg.sh ${CMAKE_BINARY_DIR}
                  DEPENDS ${_bench_pipeline_deps}
                  USES_TERMINAL
                  COMMENT "studio-recorder (sealed) vs ffmpeg with the same overlay and x264 settings (target <= 1.0x CPU)")
add_custom_target(bench-realtime-factor
                  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/realtime-factor.sh ${CMAKE_BINARY_DIR}
                  DEPENDS ${_bench_pipeline_deps}
                  USES_TERMINAL
                  COMMENT "Media seconds per CPU second, 720p30 and 1080p30 live (target: 1080p30 under 0.5 core)")
add_custom_target(bench-container-truncation
                  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/container-truncation.sh ${CMAKE_BINARY_DIR}
                  USES_TERMINAL
                  COMMENT "kill -9 mid-recording: what Matroska, MPEG-TS and MP4 keep")
