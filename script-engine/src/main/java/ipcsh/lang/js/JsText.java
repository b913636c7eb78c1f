package ipcsh.lang.js;

/** Scanning JavaScript source text, shared by the REPL's entry reader and the top-level-await wrapper. */
public final class JsText {
    private JsText() {}

    /** The index just past the regex literal starting at the '/' at i (its flags included). */
    public static int skipRegex(String s, int i) {
        int n = s.length();
        i++;
        boolean inClass = false;
        while (i < n && s.charAt(i) != '\n' && (inClass || s.charAt(i) != '/')) {
            char r = s.charAt(i);
            if (r == '\\') i++;
            else if (r == '[') inClass = true;
            else if (r == ']') inClass = false;
            i++;
        }
        i++;
        while (i < n && Character.isLetter(s.charAt(i))) i++;
        return i;
    }
}
