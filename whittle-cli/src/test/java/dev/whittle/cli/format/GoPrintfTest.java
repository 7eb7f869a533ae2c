package dev.whittle.cli.format;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code printf} in templates against Go's fmt: every expected output here is what Go 1.19's text/template printed for
 * the same template over the same data ({@link GoTemplateTest#data()}). Widths and precisions are read as Go reads
 * them: a number past a million stops being read ({@code %!(NOVERB)}), a {@code *} argument past a million or not an
 * integer is {@code %!(BADWIDTH)} / {@code %!(BADPREC)}, so no directive can ask for more than ten million characters.
 */
class GoPrintfTest {
    static Arguments go(String template, String output, String error) {
        return Arguments.of(template, output);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                go("{{printf \"%1000000000d\" .Size}}", "%!(NOVERB)%!(EXTRA int64=8012345)", null),
                go("{{printf \"%.1000000000f\" 1.5}}", "%!(NOVERB)%!(EXTRA float64=1.5)", null),
                go("{{printf \"%99999999999999999999999d|\" .Size}}", "%!(NOVERB)%!(EXTRA int64=8012345)", null),
                go("{{printf \"%10000010d|\" .Size}}", "%!(NOVERB)%!(EXTRA int64=8012345)", null),
                go("{{printf \"%.10000010f\" 1.5}}", "%!(NOVERB)%!(EXTRA float64=1.5)", null),
                go("{{printf \"%[99999999999]d\" .Size}}", "%!d(BADINDEX)", null),
                go("{{printf \"%10000000d\" .Size | len}}", "10000000", null),
                go("{{printf \"%.1000000f\" 1.5 | len}}", "1000002", null),
                go("{{printf \"%.1000000e\" 1.5 | len}}", "1000006", null),
                go("{{printf \"%.1000000g\" 1.5}}", "1.5", null),
                go("{{printf \"%.10000009d\" .Size | len}}", "10000009", null),
                go("{{printf \"%9999999.9999999f\" 1.5 | len}}", "10000001", null),
                go("{{printf \"%1000000s|\" \"x\" | len}}", "1000001", null),
                go("{{printf \"%*d|\" 1000000000 .Size}}", "%!(BADWIDTH)8012345|", null),
                go("{{printf \"%*d|\" 1000001 .Size}}", "%!(BADWIDTH)8012345|", null),
                go("{{printf \"%*d|\" 1000000 .Size | len}}", "1000001", null),
                go("{{printf \"%*d|\" -12 .Size}}", "8012345     |", null),
                go("{{printf \"%.*d|\" 9 .Size}}", "008012345|", null),
                go("{{printf \"%.*d|\" -5 .Size}}", "%!(BADPREC)8012345|", null),
                go("{{printf \"%.*d|\" 1000001 .Size}}", "%!(BADPREC)8012345|", null),
                go("{{printf \"%*d|\" \"x\" .Size}}", "%!(BADWIDTH)8012345|", null),
                go("{{printf \"%*s|\" 1.5 \"abc\"}}", "%!(BADWIDTH)abc|", null),
                go("{{printf \"%-*d|\" 9 .Size}}", "8012345  |", null),
                go("{{printf \"%0*d|\" -9 .Size}}", "8012345  |", null),
                go("{{printf \"%*.*f|\" 8 2 3.14159}}", "    3.14|", null),
                go("{{printf \"%.*s|\" 2 \"abc\"}}", "ab|", null),
                go("{{printf \"%*d\"}}", "%!(BADWIDTH)%!d(MISSING)", null),
                go("{{printf \"%.*d\" 3}}", "%!d(MISSING)", null),
                go("{{printf \"%[2]s %[1]s\" \"a\" \"b\"}}", "b a", null),
                go("{{printf \"%[3]s\" \"a\" \"b\"}}", "%!s(BADINDEX)", null),
                go("{{printf \"%[0]s\" \"a\"}}", "%!s(BADINDEX)", null),
                go("{{printf \"%[x]s\" \"a\"}}", "%!s(BADINDEX)", null),
                go("{{printf \"%[1]s %s\" \"a\" \"b\"}}", "a b", null),
                go("{{printf \"%[2]*[1]s|\" \"ab\" 5}}", "   ab|", null),
                go("{{printf \"%[1]s %[1]s\" \"a\" \"b\"}}", "a a", null),
                go("{{printf \"%.[2]s\" \"a\" \"b\"}}", "", null),
                go("{{printf \"%[5]*s\" \"a\" \"b\"}}", "%!(BADWIDTH)%!s(BADINDEX)", null),
                go("{{printf \"%[1]\" \"a\"}}", "%!(NOVERB)", null),
                go("{{printf \"%[1\" \"a\"}}", "%!(NOVERB)", null),
                go("{{printf \"%[2]3s|\" \"a\" \"b\"}}", "%!s(BADINDEX)|", null),
                go("{{printf \"%[1].2s|\" \"abc\"}}", "%!s(BADINDEX)|", null),
                go("{{printf \"%[]s\" \"a\"}}", "%!s(BADINDEX)", null),
                go("{{printf \"%s %s\" \"a\"}}", "a %!s(MISSING)", null),
                go("{{printf \"abc\" \"x\" nil .Size}}", "abc%!(EXTRA string=x, <nil>, int64=8012345)", null),
                go("{{printf \"%%\"}}", "%", null),
                go("{{printf \"%5%|\"}}", "%|", null),
                go("{{printf \"%\"}}", "%!(NOVERB)", null),
                go("{{printf \"%-\"}}", "%!(NOVERB)", null),
                go("{{printf \"%5\"}}", "%!(NOVERB)", null),
                go("{{printf \"%.5\"}}", "%!(NOVERB)", null),
                go("{{printf \"%.\" \"a\"}}", "%!.(string=a)", null),
                go("{{printf \"%z\" \"a\"}}", "%!z(string=a)", null),
                go("{{printf \"%z\"}}", "%!z(MISSING)", null),
                go("{{printf \"%5z\" \"a\"}}", "%!z(string=    a)", null),
                go("{{printf \"%!\" \"a\"}}", "%!!(string=a)", null),
                go("{{printf \"%\u00e9\" \"a\"}}", "%!\u00e9(string=a)", null),
                go("{{printf \"%d|%5d|%-5d|%05d|%+d|% d\" .Size .Size .Size .Size .Size .Size}}", "8012345|8012345|8012345|8012345|+8012345| 8012345", null),
                go("{{printf \"%.3d|%8.3d|%08.3d|%+.3d\" 7 -7 7 7}}", "007|    -007|     007|+007", null),
                go("{{printf \"%.0d|%5.0d|\" 0 0}}", "|     |", null),
                go("{{printf \"%x %X %o %O %b %#x %#o %#b\" 255 -255 8 8 5 255 8 5}}", "ff -FF 10 0o10 101 0xff 010 0b101", null),
                go("{{printf \"%08x|%#08x|%-05d|% 05d|%+05d|\" 255 255 3 3 3}}", "000000ff|0x000000ff|3    | 0003|+0003|", null),
                go("{{printf \"%x\" -1}}", "-1", null),
                go("{{printf \"%c|%c|%c|%c|%3c|\" 65 -1 1114112 55296 66}}", "A|\ufffd|\ufffd|\ufffd|  B|", null),
                go("{{printf \"%q|%+q|%q\" 65 233 1114112}}", "'A'|'\\u00e9'|'\ufffd'", null),
                go("{{printf \"%U|%#U|%U|%.6U\" 65 233 -1 65}}", "U+0041|U+00E9 '\u00e9'|U+FFFFFFFFFFFFFFFF|U+000041", null),
                go("{{printf \"%s\" .Size}}", "%!s(int64=8012345)", null),
                go("{{printf \"%t\" .Size}}", "%!t(int64=8012345)", null),
                go("{{printf \"%e\" .Size}}", "%!e(int64=8012345)", null),
                go("{{printf \"%e %E %g %G %f %F\" 1234.5678 1234.5678 1234.5678 0.00001 1.5 1.5}}", "1.234568e+03 1.234568E+03 1234.5678 1E-05 1.500000 1.500000", null),
                go("{{printf \"%.2v|%6.3v|%.3g|%v|%v\" 3.14159 3.14159 1234567.0 1e21 100000.0}}", "3.1|  3.14|1.23e+06|1e+21|100000", null),
                go("{{printf \"%.f|%08.2f|%+.2e|%.3f|% f|%+f\" 3.7 -1.5 12345.678 -0.0005 1.5 1.5}}", "4|-0001.50|+1.23e+04|-0.001| 1.500000|+1.500000", null),
                go("{{printf \"%e|%g|%f\" 0.0 0.0 1e300 | len}}", "323", null),
                go("{{printf \"%d\" 1.5}}", "%!d(float64=1.5)", null),
                go("{{printf \"%s\" 1.5}}", "%!s(float64=1.5)", null),
                go("{{printf \"%10.3e|%-10.1f|\" 1234.5 2.25}}", " 1.234e+03|2.2       |", null),
                go("{{printf \"%5.2s|%.d|%5.s|%10.4v|%-10.4q|%6.2v|\" \"abcdef\" 5 \"abc\" \"abcdefgh\" \"abcdefgh\" \"abc\"}}", "   ab|5|     |      abcd|\"abcd\"    |    ab|", null),
                go("{{printf \"%05s|%-05s|\" \"ab\" \"ab\"}}", "000ab|ab   |", null),
                go("{{printf \"%q\" \"a\\\"b\\x01\\u00e9\\t\\U0001F600\\u200b\"}}", "\"a\\\"b\\x01\u00e9\\t\ud83d\ude00\\u200b\"", null),
                go("{{printf \"%+q|%#q|%#q\" \"\u00e9\" \"a b\" \"a`b\"}}", "\"\\u00e9\"|`a b`|\"a`b\"", null),
                go("{{printf \"%x|% x|%#x|%X|% #x|%5x|%.1x|%x\" \"h\u00e9\" \"hi\" \"hi\" \"hi\" \"hi\" \"hi\" \"hi\" \"\"}}", "68c3a9|68 69|0x6869|6869|0x68 0x69| 6869|68|", null),
                go("{{printf \"%d\" \"a\"}}", "%!d(string=a)", null),
                go("{{printf \"%t|%5t|%v|%d\" true true false true}}", "true| true|false|%!d(bool=true)", null),
                go("{{printf \"%v|%d|%s|%x\" nil nil nil nil}}", "<nil>|%!d(<nil>)|%!s(<nil>)|%!x(<nil>)", null),
                go("{{printf \"%v %v %v\" .RepoTags .Config.Labels .Config.Entrypoint}}", "[site:static site:latest] map[] []", null),
                go("{{printf \"%s\" .Config}}", "{[PATH=/bin A=b] [/app/site] [] map[] map[4242/tcp:{} 80/tcp:{}] /app}", null),
                go("{{printf \"%d\" .RepoTags}}", "[%!d(string=site:static) %!d(string=site:latest)]", null),
                go("{{printf \"%x\" .RepoTags}}", "[736974653a737461746963 736974653a6c6174657374]", null),
                go("{{printf \"%5v|\" .RepoTags}}", "[site:static site:latest]|", null),
                go("{{printf \"%q\" .RepoTags}}", "[\"site:static\" \"site:latest\"]", null)
        );
    }

    @ParameterizedTest
    @MethodSource("cases")
    void printsWhatGoPrints(String template, String expected) {
        assertThat(GoTemplateTest.run(template)).isEqualTo(expected);
    }
}
