#ifndef CORDON_CSYSTEMD_SHIM_H
#define CORDON_CSYSTEMD_SHIM_H
#include <systemd/sd-journal.h>
#include <systemd/sd-id128.h>
#include <systemd/sd-daemon.h>
#include <sys/uio.h>
#endif
