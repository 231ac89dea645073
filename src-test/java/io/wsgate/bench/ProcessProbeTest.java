package io.wsgate.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessProbeTest {
    @Test
    void sumsUsedOverTheGenerationsOfParallelAndG1() {
        String parallel = """
                 PSYoungGen      total 76288K, used 3932K [0x1, 0x2, 0x3)
                  eden space 65536K, 6% used [0x1,0x2,0x3)
                 ParOldGen       total 175104K, used 100K [0x1, 0x2, 0x3)
                  object space 175104K, 0% used [0x1,0x2,0x3)
                 Metaspace       used 779K, committed 960K, reserved 1114112K
                """;
        String g1 = " garbage-first heap   total 262144K, used 2048K [0x1, 0x2)\n  region size 1024K\n";
        String z = " ZHeap           used 8M, capacity 20M, max capacity 1024M\n";

        assertThat(ProcessProbe.heapUsedKb(parallel)).isEqualTo(4032);
        assertThat(ProcessProbe.heapUsedKb(g1)).isEqualTo(2048);
        assertThat(ProcessProbe.heapUsedKb(z)).isEqualTo(8192);
        assertThat(ProcessProbe.heapUsedKb("")).isEqualTo(-1);
    }

    @Test
    void readsThisProcessFromProc() {
        long self = ProcessHandle.current().pid();
        assertThat(ProcessProbe.statusKb(self, "VmRSS:")).isPositive();
        assertThat(ProcessProbe.openFiles(self)).isPositive();
        assertThat(ProcessProbe.isJava(self)).isTrue();
        assertThat(ProcessProbe.statusKb(Long.MAX_VALUE, "VmRSS:")).isEqualTo(-1);
    }
}
