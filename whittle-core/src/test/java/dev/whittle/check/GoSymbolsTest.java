package dev.whittle.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pclntab reader over programs built by the installed Go toolchain (skipped without one). */
class GoSymbolsTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void toolchain() throws Exception {
        assumeThat(run(List.of("go", "version"), dir)).as("a Go toolchain").isTrue();
        Files.writeString(dir.resolve("go.mod"), "module example.com/t\n\ngo 1.19\n");
        Files.writeString(dir.resolve("main.go"), """
                package main

                import (
                	"fmt"
                	"os"
                	"time"
                )

                func main() {
                	l, err := time.LoadLocation(os.Getenv("ZONE"))
                	fmt.Println(l, err)
                }
                """);
    }

    static boolean run(List<String> cmd, Path in) throws IOException, InterruptedException {
        List<String> c = new ArrayList<>(List.of(
                "env",
                "GOFLAGS=-mod=mod",
                "GOCACHE=" + dir.resolve("cache"),
                "GOPATH=" + dir.resolve("gopath"),
                "CGO_ENABLED=0"));
        c.addAll(cmd);
        Process p = new ProcessBuilder(c)
                .directory(in.toFile())
                .redirectErrorStream(true)
                .redirectOutput(new File("/dev/null"))
                .start();
        return p.waitFor(300, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    static Elf build(String name, String... flags) throws Exception {
        List<String> cmd =
                new ArrayList<>(List.of("go", "build", "-o", dir.resolve(name).toString()));
        cmd.addAll(List.of(flags));
        cmd.add(".");
        assertThat(run(cmd, dir)).as("go build " + String.join(" ", flags)).isTrue();
        return Elf.parse(Files.readAllBytes(dir.resolve(name)));
    }

    @Test
    void namesTheFunctionsAProgramLinks() throws Exception {
        GoSymbols s = GoSymbols.read(build("plain"));
        assertThat(s).isNotNull();
        assertThat(s.has("time.LoadLocation")).isTrue();
        assertThat(s.has("main.main")).isTrue();
        assertThat(s.hasPrefix("os/user.")).isFalse();
        assertThat(s.first("crypto/x509.loadSystemRoots", "time.LoadLocation")).isEqualTo("time.LoadLocation");
        assertThat(s.size()).isGreaterThan(500);
    }

    @Test
    void strippedProgramsKeepTheTable() throws Exception {
        Elf stripped = build("stripped", "-ldflags=-s -w", "-trimpath");
        assertThat(stripped.section(".symtab")).isNull();
        assertThat(GoSymbols.read(stripped).has("time.LoadLocation")).isTrue();
    }

    @Test
    void findsTheTableWithoutASectionTable() throws Exception {
        build("bare");
        byte[] b = Files.readAllBytes(dir.resolve("bare"));
        // e_shoff = 0, e_shnum = 0: what sstrip-like tools leave
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(40, 0);
        bb.putShort(60, (short) 0);
        Elf elf = Elf.parse(b);
        assertThat(elf.section(".gopclntab")).isNull();
        GoSymbols s = GoSymbols.read(elf);
        assertThat(s).isNotNull();
        assertThat(s.has("time.LoadLocation")).isTrue();
    }

    @Test
    void notGoAndDamagedTablesGiveNull() throws Exception {
        assertThat(GoSymbols.read(Elf.parse(ElfTest.host("/bin/ls")))).isNull();
        build("damaged");
        byte[] b = Files.readAllBytes(dir.resolve("damaged"));
        Elf elf = Elf.parse(b);
        long[] at = elf.sectionBounds(".gopclntab");
        Random r = new Random(1);
        for (int i = 0; i < 200; i++) {
            byte[] copy = b.clone();
            // damage the header's words (sizes and offsets): never an exception
            for (int k = 0; k < 4; k++) copy[(int) at[0] + 8 + r.nextInt(56)] = (byte) r.nextInt();
            GoSymbols.read(Elf.parse(copy));
        }
    }
}
