/* Stands in for dotnet.exe when build.cmd runs under wine (BootstrapCmdTests): appends "<BUILD_ENGINE_STAMP>|[arg] [arg]..."
   to the file STUB_LOG names, prints "dotnet stub: call <n>", then exits with this call's code from STUB_EXIT_CODES (space-separated, one per call; 0 once
   they run out). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    FILE *log = fopen(getenv("STUB_LOG"), "a+");
    if (!log)
        return 100;
    int calls = 0;
    rewind(log);
    for (int c = fgetc(log); c != EOF; c = fgetc(log))
        calls += c == '\n';
    const char *stamp = getenv("BUILD_ENGINE_STAMP");
    fprintf(log, "%s|", stamp ? stamp : "");
    for (int i = 1; i < argc; i++)
        fprintf(log, i == 1 ? "[%s]" : " [%s]", argv[i]);
    fputc('\n', log);
    fclose(log);
    printf("dotnet stub: call %d\n", calls + 1);

    const char *codes = getenv("STUB_EXIT_CODES");
    long code = 0;
    for (int i = 0; codes && i <= calls; i++)
    {
        char *end;
        code = strtol(codes, &end, 10);
        if (end == codes)
            return 0;
        codes = end;
    }
    return (int)code;
}
