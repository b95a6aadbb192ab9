// The SA table benchmarks, run by this directory's main() once the EAL is up.
#pragma once

namespace vpngw::dataplane::bench {

// Registers and runs the SA lookup benchmarks (honours --benchmark_filter).
void run_tables_benchmarks();

}  // namespace vpngw::dataplane::bench
