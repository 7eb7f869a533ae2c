package dev.whittle.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/** {@code -e} and {@code --env-file} as docker's client reads them, with its messages. */
final class RunEnv {
    private RunEnv() {}

    /** {@code -e}: KEY=VALUE as given; KEY alone takes whittle's own value, or stays bare (the container loses KEY). */
    static String flag(String e, Map<String, String> environment) {
        int eq = e.indexOf('=');
        String key = eq < 0 ? e : e.substring(0, eq);
        if (key.isEmpty())
            throw new UserError(
                    "invalid argument \"" + e + "\" for \"-e, --env\" flag: invalid environment variable: " + e, 125);
        if (eq >= 0) return e;
        String v = environment.get(key);
        return v == null ? e : key + "=" + v;
    }

    /**
     * An env file: KEY=VALUE lines (the value as written, trailing blanks included), KEY lines taking whittle's own
     * value (left out when it has none), blank lines and # comments skipped, leading white space and a UTF-8 BOM
     * dropped.
     */
    static List<String> file(String name, Map<String, String> environment) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(Path.of(name));
        } catch (NoSuchFileException e) {
            throw new UserError("open " + name + ": no such file or directory", 125);
        } catch (IOException e) {
            throw new UserError("open " + name + ": " + e.getMessage(), 125);
        }
        List<String> out = new ArrayList<>();
        int lineNo = 0, start = 0;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') end++;
            int len = end - start;
            if (len > 0 && bytes[end - 1] == '\r') len--;
            lineNo++;
            String line = decode(name, lineNo, bytes, start, len);
            if (lineNo == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
            line = line.stripLeading();
            start = end + 1;
            if (line.isEmpty() || line.startsWith("#")) continue;
            int eq = line.indexOf('=');
            String key = eq < 0 ? line : line.substring(0, eq);
            if (key.indexOf(' ') >= 0 || key.indexOf('\t') >= 0)
                throw poorlyFormatted("variable '" + key + "' contains whitespaces");
            if (key.isEmpty()) throw poorlyFormatted("no variable name on line '" + line + "'");
            if (eq >= 0) {
                out.add(line);
            } else if (environment.containsKey(key)) {
                out.add(key + "=" + environment.get(key));
            }
        }
        return out;
    }

    private static String decode(String name, int lineNo, byte[] b, int off, int len) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, off, len))
                    .toString();
        } catch (CharacterCodingException e) {
            StringJoiner bytes = new StringJoiner(" ", "[", "]"); // Go's %v of a []byte
            for (int i = off; i < off + len; i++) bytes.add(Integer.toString(b[i] & 0xff));
            throw new UserError(
                    "env file " + name + " contains invalid utf8 bytes at line " + lineNo + ": " + bytes, 125);
        }
    }

    /** docker 20.10's client words these without naming the file. */
    private static UserError poorlyFormatted(String msg) {
        return new UserError("poorly formatted environment: " + msg, 125);
    }
}
