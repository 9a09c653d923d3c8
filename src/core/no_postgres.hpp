// Guard for the pure-logic layer. Every .cpp file under src/core/ includes
// this header after all its other includes: if any of them pulled in a
// PostgreSQL header, the build fails. Core code is unit-tested without a
// server and must never meet ereport's longjmp. (CMake also compiles the core
// library without PostgreSQL's include directories.)
#pragma once

#if defined(POSTGRES_H) || defined(PG_VERSION_NUM) || defined(C_H)
#error "src/core must not include PostgreSQL headers; put PostgreSQL code under src/pg"
#endif
