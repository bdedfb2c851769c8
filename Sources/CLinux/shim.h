#ifndef CORDON_CLINUX_SHIM_H
#define CORDON_CLINUX_SHIM_H
/* Linux headers that Glibc's Swift module leaves out. */
#include <sys/signalfd.h>
#include <signal.h>
#include <sys/eventfd.h>
#endif
