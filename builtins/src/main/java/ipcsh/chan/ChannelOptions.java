package ipcsh.chan;

import ipcsh.ArgCheck;
import ipcsh.IpcException;
import ipcsh.Keyword;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A channel's common options (Tcl's fconfigure): their values, which the layers read on every
 * call (plain fields, no getters: this is the hot path), and configure's checks, listing and
 * setting. Setting an option that changes what the buffers hold (:buffering, :buffer-size,
 * :encoding, :eofchar) acts on them as it is set.
 */
final class ChannelOptions {
    static final List<String> NAMES = List.of("blocking", "buffering", "buffer-size", "encoding",
            "encoding-errors", "translation", "eofchar", "timeout", "framing", "max-frame", "max-queue", "max-depth");

    boolean blocking = true;
    Buffering buffering = Buffering.LINE;
    int bufferSize = Channel.DEFAULT_BUFFER;
    /** The encoding; null when binary. */
    Charset charset = StandardCharsets.UTF_8;
    Translation translation = Translation.AUTO;
    /** Whether :buffering was chosen (by the user or the kind); if not it follows :encoding: :line for text, :none for binary. */
    private boolean bufferingChosen;
    /** :encoding-errors :strict */
    boolean strict;
    long timeoutMs = -1;
    Framing framing = Framing.LINES;
    long maxFrame = 64L * 1024 * 1024;
    long maxQueue = Channel.DEFAULT_MAX_QUEUE;
    int maxDepth = Channel.DEFAULT_MAX_DEPTH;

    private final Channel ch;

    ChannelOptions(Channel ch) {
        this.ch = ch;
    }

    /** The translation reads apply: none on a binary channel. */
    Translation inputTranslation() {
        return charset == null ? Translation.LF : translation;
    }

    /** Every option, the common ones then the kind's own. */
    Map<String, Object> all() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", ch.id());
        m.put("kind", Keyword.of(ch.kind()));
        m.put("name", ch.name());
        m.put("blocking", blocking);
        m.put("buffering", Keyword.of(buffering.keyword()));
        m.put("buffer-size", (long) bufferSize);
        m.put("encoding", charset == null ? Keyword.of("binary") : charset.name().toLowerCase(Locale.ROOT));
        m.put("encoding-errors", Keyword.of(strict ? "strict" : "replace"));
        m.put("translation", Keyword.of(inputTranslation().keyword()));
        EofChar eofChar = ch.input.eofChar;
        m.put("eofchar", eofChar.isSet() ? String.valueOf((char) eofChar.get()) : null);
        m.put("timeout", timeoutMs < 0 ? null : timeoutMs);
        m.put("framing", Keyword.of(framing.keyword()));
        m.put("max-frame", maxFrame);
        m.put("max-queue", maxQueue);
        m.put("queued", ch.queue.size());
        m.put("max-depth", (long) maxDepth);
        m.put("state", Keyword.of(ch.state()));
        m.put("eof", ch.eof());
        if (!ch.isClosed()) m.putAll(ch.driver().options());
        return m;
    }

    Object get(String key) {
        Map<String, Object> all = all();
        if (!all.containsKey(key)) throw unknown(key);
        return all.get(key);
    }

    /** Sets options; all are checked first, so a bad one leaves the channel as it was. */
    void set(Map<String, Object> changes) {
        Map<String, Object> parsed = new LinkedHashMap<>(), own = new LinkedHashMap<>();
        Driver driver = ch.driver();
        for (Map.Entry<String, Object> e : changes.entrySet()) {
            String key = e.getKey();
            if (NAMES.contains(key)) {
                parsed.put(key, value("configure " + ch.describe(), key, e.getValue()));
            } else if (!ch.isClosed() && driver.settable(key)) {
                own.put(key, e.getValue()); // the kind's own (a pty's :rows): its driver checks and sets it
            } else {
                throw notSettable(key);
            }
        }
        if (parsed.containsKey("buffering")) bufferingChosen = true;
        for (Map.Entry<String, Object> e : parsed.entrySet()) set(e.getKey(), e.getValue());
        for (Map.Entry<String, Object> e : own.entrySet()) driver.set(e.getKey(), e.getValue());
    }

    /** Sets one option from its checked value ({@link #value}). */
    private void set(String key, Object x) {
        switch (key) {
            case "blocking" -> blocking = (Boolean) x;
            case "buffering" -> {
                Buffering b = (Buffering) x;
                if (b == Buffering.NONE) ch.output.flushBuffered("configure");
                buffering = b;
            }
            case "buffer-size" -> {
                ch.output.flushBuffered("configure");
                bufferSize = (int) (long) (Long) x;
                ch.output.resized();
            }
            case "encoding" -> {
                charset = ((Optional<?>) x).map(Charset.class::cast).orElse(null);
                // a newline means nothing in binary data: a binary channel's writes leave at once
                // unless a :buffering was chosen
                Buffering b = charset == null ? Buffering.NONE : Buffering.LINE;
                if (!bufferingChosen && buffering != b) {
                    ch.output.flushBuffered("configure");
                    buffering = b;
                }
            }
            case "encoding-errors" -> strict = (Boolean) x;
            case "translation" -> translation = (Translation) x;
            case "eofchar" -> ch.input.setEofChar((Integer) x);
            case "timeout" -> timeoutMs = x == null ? -1 : (Long) x;
            case "framing" -> framing = (Framing) x;
            case "max-frame" -> maxFrame = (Long) x;
            case "max-queue" -> maxQueue = (Long) x;
            case "max-depth" -> maxDepth = (int) (long) (Long) x;
            default -> throw notSettable(key);
        }
    }

    private IpcException notSettable(String key) {
        if (all().containsKey(key)) return new IpcException("configure " + ch.id() + ": :" + key + " is read-only");
        return unknown(key);
    }

    private IpcException unknown(String key) {
        List<String> names = new ArrayList<>(NAMES);
        if (!ch.isClosed()) names.addAll(ch.driver().options().keySet());
        return ArgCheck.unknownOption("configure " + ch.id(), key, List.of(), names);
    }

    /** {@link Channel#checkOptions}: each key one of own or a common option with a valid value. */
    static void check(String who, Map<String, Object> options, String... own) {
        List<String> mine = List.of(own);
        for (Map.Entry<String, Object> e : options.entrySet()) {
            String key = e.getKey();
            if (mine.contains(key)) continue;
            if (!NAMES.contains(key)) throw ArgCheck.unknownOption(who, key, mine, NAMES);
            value(who, key, e.getValue());
        }
    }

    /** A common option's value checked and parsed (ArgCheck's rules for numbers and flags); nil is none only for :timeout. */
    private static Object value(String who, String key, Object v) {
        String what = "option :" + key;
        try {
            return switch (key) {
                case "blocking" -> ArgCheck.bool(who, what, v);
                case "buffering" -> Buffering.of(word(v));
                case "buffer-size" -> ArgCheck.size(who, what, v, 1, ArgCheck.MAX_BUFFER);
                case "encoding" -> {
                    String w = word(v);
                    if (w.equals("binary")) yield Optional.empty();
                    try {
                        yield Optional.of(Charset.forName(w));
                    } catch (RuntimeException ex) {
                        throw new IpcException("unknown :encoding " + w);
                    }
                }
                case "encoding-errors" -> Decoding.strict(word(v));
                case "translation" -> Translation.of(word(v));
                case "eofchar" -> EofChar.parse(v);
                case "timeout" -> v == null ? null : ArgCheck.duration(who, what, v);
                case "framing" -> Framing.of(word(v));
                case "max-frame" -> ArgCheck.size(who, what, v, 1, ArgCheck.MAX_BUFFER);
                case "max-queue" -> ArgCheck.size(who, what, v, 0, Long.MAX_VALUE);
                case "max-depth" -> ArgCheck.size(who, what, v, 1, ipcsh.TooDeep.LIMIT);
                default -> throw new IllegalArgumentException("not a common option: " + key);
            };
        } catch (IpcException e) {
            if (e.getMessage().startsWith(who + ":")) throw e;
            throw new IpcException(who + ": " + e.getMessage(), e.data());
        }
    }

    private static String word(Object v) {
        String w = Keyword.word(v);
        if (w != null) return w;
        throw new IpcException("expected a keyword or string, got " + ArgCheck.describe(v));
    }
}
