/* bcryptprimitives.dll for Wine 8, which lacks it: Go >= 1.22 reads random
 * bytes with ProcessPrng at start and dies without it. This one fills the
 * buffer with RtlGenRandom (advapi32's SystemFunction036), which Wine has.
 * Built by .ci/wine.sh with gcc-mingw-w64-x86-64 into the prefix's system32. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len > 0) {
    ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
    if (!SystemFunction036(data, n)) return FALSE;
    data += n;
    len -= n;
  }
  return TRUE;
}
