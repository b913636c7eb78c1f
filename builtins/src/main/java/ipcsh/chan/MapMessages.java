package ipcsh.chan;

import java.util.Map;

/**
 * A message driver whose messages are maps (a watch's events, a D-Bus monitor's messages): read
 * as text by gets and expect, given whole by recv. recv takes one already here with
 * {@link #pollReady}, else waits through the channel and asks {@link #takeLastEvent} for the
 * map of the message it read, or {@link #parse}s the text expect left in the channel.
 */
public interface MapMessages {
    /** The next map when one is already here (not yet taken), else null. */
    Map<String, Object> pollReady();

    /** The map of the message read last, taken once (null after). */
    Map<String, Object> takeLastEvent();

    /** A message's text back as its map (what expect left in the channel). */
    Object parse(Object text);
}
