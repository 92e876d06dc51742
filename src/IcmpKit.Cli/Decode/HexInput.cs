using System.Globalization;

namespace IcmpKit.Cli.Decode;

/// <summary>Reads packets written as hex: pairs of digits, with spaces, colons, dashes or a 0x prefix allowed.</summary>
internal static class HexInput
{
    public static bool TryParse(string text, out byte[] bytes, out string problem)
    {
        var digits = new List<char>(text.Length);
        string trimmed = text.Trim();
        if (trimmed.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed[2..];
        }
        for (int i = 0; i < trimmed.Length; i++)
        {
            char c = trimmed[i];
            if (char.IsWhiteSpace(c) || c is ':' or '-')
            {
                continue;
            }
            if (!char.IsAsciiHexDigit(c))
            {
                bytes = [];
                problem = $"'{c}' at character {i + 1} is not a hex digit";
                return false;
            }
            digits.Add(c);
        }
        if (digits.Count % 2 != 0)
        {
            bytes = [];
            problem = $"odd number of hex digits ({digits.Count})";
            return false;
        }
        bytes = new byte[digits.Count / 2];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = byte.Parse(string.Concat(digits[2 * i], digits[2 * i + 1]), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }
        problem = "";
        return true;
    }
}
