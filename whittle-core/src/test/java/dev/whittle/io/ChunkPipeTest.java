package dev.whittle.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import org.junit.jupiter.api.Test;

class ChunkPipeTest {
    @Test
    void anAbortIsTheReadersErrorAfterWhatWasWrittenBefore() throws IOException {
        ChunkPipe p = new ChunkPipe(4, false);
        p.output().write(new byte[] {1, 2, 3}, 0, 3);
        p.abort(new IOException("disk full"));
        var in = p.input();
        assertThat(in.readNBytes(3)).containsExactly(1, 2, 3);
        assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessage("disk full");
    }

    @Test
    void afterTheReaderHangsUpWritesFailOrAreDropped() throws IOException {
        ChunkPipe strict = new ChunkPipe(1, false);
        strict.input().close();
        assertThatThrownBy(() -> strict.output().write(new byte[10], 0, 10)).isInstanceOf(IOException.class);

        ChunkPipe dropping = new ChunkPipe(1, true);
        dropping.input().close();
        OutputStream out = dropping.output();
        for (int i = 0; i < 100; i++) out.write(new byte[1000], 0, 1000); // would block on a full pipe if kept
        out.close();
    }

    @Test
    void aCleanEndIsMinusOne() throws IOException {
        ChunkPipe p = new ChunkPipe(2, false);
        Thread.ofVirtual().start(() -> {
            try (OutputStream o = p.output()) {
                for (int i = 0; i < 50; i++) o.write(new byte[] {(byte) i}, 0, 1);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        assertThat(p.input().readAllBytes()).hasSize(50);
    }
}
