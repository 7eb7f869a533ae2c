package dev.whittle.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whittle.image.ImageRef;
import dev.whittle.image.MediaType;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** --cache-from and --cache-to as buildx spells them, with whittle's mounts options. */
class CacheSpecTest {
    @Test
    void buildxSpellings() {
        assertThat(CacheSpec.parseImport("reg.example:5000/ci/app:cache").where())
                .isEqualTo(new CacheSpec.Registry(ImageRef.parse("reg.example:5000/ci/app:cache")));
        assertThat(CacheSpec.parseImport("type=local,src=/tmp/c").where())
                .isEqualTo(new CacheSpec.Local(Path.of("/tmp/c")));
        CacheSpec.Export e = CacheSpec.parseExport("type=local,dest=/tmp/c");
        assertThat(e.max()).isFalse();
        assertThat(e.compression()).isEqualTo(MediaType.Compression.GZIP);
        assertThat(e.mounts()).isTrue();
        assertThat(e.mountsMax()).isEqualTo(2L << 30);
        CacheSpec.Export all = CacheSpec.parseExport(
                "type=registry,ref=r:5000/a:b,mode=max,compression=zstd,mounts=false,mounts-max=512m,ignore-error=true");
        assertThat(all.max()).isTrue();
        assertThat(all.compression()).isEqualTo(MediaType.Compression.ZSTD);
        assertThat(all.mounts()).isFalse();
        assertThat(all.mountsMax()).isEqualTo(512L << 20);
        assertThat(all.ignoreError()).isTrue();
        assertThat(e.ignoreError()).isFalse();
    }

    @Test
    void mistakesAreNamed() {
        assertThatThrownBy(() -> CacheSpec.parseExport("type=registry"))
                .hasMessage("--cache-to type=registry: ref= is required for type=registry");
        assertThatThrownBy(() -> CacheSpec.parseExport("type=local,dest=/x,colour=red"))
                .hasMessage("invalid cache spec \"type=local,dest=/x,colour=red\": unknown field \"colour\"");
        assertThatThrownBy(() -> CacheSpec.parseExport("type=local,dest=/x,mounts=maybe"))
                .hasMessageContaining("invalid mounts \"maybe\" (true or false)");
        assertThatThrownBy(() -> CacheSpec.parseExport("type=local,dest=/x,compression=lz4"))
                .hasMessageContaining("invalid compression \"lz4\" (gzip or zstd)");
        assertThatThrownBy(() -> CacheSpec.parseImport("type=inline"))
                .hasMessageContaining("imported by naming its image");
        assertThat(CacheSpec.parseExport("type=inline").where()).isEqualTo(new CacheSpec.Inline());
    }
}
