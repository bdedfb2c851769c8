#ifndef CORDON_CPCRE2_SHIM_H
#define CORDON_CPCRE2_SHIM_H
// The 8-bit library: subjects are journal field bytes. Swift cannot import pcre2.h's
// function-like macros (pcre2_compile → pcre2_compile_8), so Swift calls the _8 names.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif
