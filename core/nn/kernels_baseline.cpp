// The kernels compiled for the architecture's base ISA, like the rest of the program.
#include "core/nn/kernel_tables.h"

#define ATTNSCOPE_KERNEL_TABLE baselineKernelTable
#include "core/nn/kernels_impl.h"
