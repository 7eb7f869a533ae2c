package dev.whittle.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * --chmod values as BuildKit applies them (BSD setmode with no umask, tonistiigi/dchapes-mode). Where GNU chmod
 * differs (it keeps a directory's set-id bits under '=', honours 'X' after '=' and 'o+t', and tests 'X' against the
 * mode being built rather than the original), the BSD result is expected.
 */
class ChmodSpecTest {
    @ParameterizedTest
    @CsvSource(
            delimiterString = " | ",
            value = {
                "644 | 4755 | false | 644",
                "0 | 777 | true | 0",
                "7777 | 0 | false | 7777",
                "go-w | 666 | false | 644",
                "go-w | 124 | true | 104",
                "go-w | 1777 | true | 1755",
                "u=rw,g=r,o=r | 124 | false | 644",
                "u=rw,g=r,o=r | 4755 | true | 644",
                "a+X | 666 | false | 666",
                "a+X | 666 | true | 777",
                "a+X | 124 | false | 135",
                "a+X | 600 | true | 711",
                "u+rw,g+r,o-x,o+w | 124 | true | 766",
                "u+rw,g+r,o-x,o+w | 600 | false | 642",
                "+x | 600 | false | 711",
                "u+s | 666 | false | 4666",
                "g+s | 4755 | false | 6755",
                "o+s | 755 | false | 755",
                "+t | 755 | true | 1755",
                "o+t | 666 | false | 666",
                "u=g | 124 | false | 224",
                "u=g | 4755 | false | 4555",
                "go=u-w | 124 | false | 111",
                "go=u-w | 1777 | true | 1755",
                "=rw,+X | 124 | false | 777",
                "=rw,+X | 124 | true | 777",
                "=rw,+X | 4755 | true | 777",
                "ug=rwX | 124 | false | 664",
                "ug=rwX | 600 | true | 660",
                "a-x,u+x | 755 | false | 744",
                "o= | 755 | false | 750",
                "o= | 1777 | true | 1770",
                "g-s,u-s | 4755 | false | 755",
                "+ | 640 | false | 640",
            })
    void appliesAsBuildKit(String spec, String mode, boolean dir, String expected) {
        assertThat(Integer.toOctalString(ChmodSpec.parse(spec).apply(Integer.parseInt(mode, 8), dir)))
                .isEqualTo(expected);
    }

    @Test
    void octalModesAreKeyedWithoutLeadingZeros() {
        assertThat(ChmodSpec.parse("0644").key()).isEqualTo("644");
        assertThat(ChmodSpec.parse("go-w").key()).isEqualTo("go-w");
    }

    @Test
    void badValuesAreRefusedWithBuildKitsMessage() {
        for (String v : new String[] {"64a", "10000", "8", "9x"}) {
            assertThatThrownBy(() -> ChmodSpec.parse(v))
                    .hasMessage(
                            "invalid chmod parameter: '" + v + "'. it should be octal string and between 0 and 07777");
        }
        for (String v : new String[] {"", "u", "u+q", "z+x", "u+x,", "+x;"}) {
            assertThatThrownBy(() -> ChmodSpec.parse(v)).hasMessageContaining("invalid syntax");
        }
    }
}
