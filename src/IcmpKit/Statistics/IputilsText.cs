using System.Globalization;
using System.Numerics;

namespace IcmpKit.Statistics;

/// <summary>
/// The C conversions and printf formats iputils' summary goes through (glibc on x86-64), so that
/// IcmpKit prints the same digits: <c>%ld.%03ld</c> of microseconds, <c>%g</c>, and the
/// truncating double-to-integer conversion.
/// </summary>
internal static class IputilsText
{
    private const int GeneralPrecision = 6;

    /// <summary>
    /// C's double-to-<c>long</c> cast as x86-64 does it (<c>cvttsd2si</c>): truncation toward zero, and
    /// 0x8000000000000000 for NaN or a value out of range. .NET saturates instead, so this is spelled out.
    /// </summary>
    public static long TruncateToInt64(double value) =>
        double.IsNaN(value) || value >= 9223372036854775808.0 || value < -9223372036854775808.0
            ? long.MinValue
            : (long)value;

    /// <summary><c>printf("%ld.%03ld", us / 1000, us % 1000)</c>: microseconds as milliseconds.</summary>
    public static string FormatMilliseconds(long microseconds) =>
        (microseconds / 1000).ToString(CultureInfo.InvariantCulture) + "." + ZeroPaddedThree(microseconds % 1000);

    /// <summary>
    /// <c>printf("%lu.%03ld", (unsigned long)(us / 1000), us % 1000)</c>: iputils prints the average
    /// through <c>unsigned long</c>.
    /// </summary>
    public static string FormatUnsignedMilliseconds(long microseconds) =>
        unchecked((ulong)(microseconds / 1000)).ToString(CultureInfo.InvariantCulture) + "." + ZeroPaddedThree(microseconds % 1000);

    /// <summary>
    /// <c>printf("%g", value)</c> exactly as glibc does it: 6 significant digits rounded from the exact
    /// binary value, ties to even; fixed notation when the decimal exponent is in [-4, 6), otherwise
    /// <c>d.ddddde±XX</c>; trailing zeros and a bare decimal point removed.
    /// </summary>
    public static string FormatGeneral(double value)
    {
        if (double.IsNaN(value))
        {
            return double.IsNegative(value) ? "-nan" : "nan";
        }
        if (double.IsInfinity(value))
        {
            return value < 0 ? "-inf" : "inf";
        }
        string sign = double.IsNegative(value) ? "-" : "";
        if (value == 0)
        {
            return sign + "0";
        }
        (string digits, int exponent) = RoundToSignificantDigits(Math.Abs(value), GeneralPrecision);
        if (exponent < -4 || exponent >= GeneralPrecision)
        {
            string mantissa = TrimFraction(digits[..1] + "." + digits[1..]);
            string exponentText = Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
            return sign + mantissa + (exponent < 0 ? "e-" : "e+") + exponentText;
        }
        string fixedText = exponent >= 0
            ? digits[..(exponent + 1)] + "." + digits[(exponent + 1)..]
            : "0." + new string('0', -exponent - 1) + digits;
        return sign + TrimFraction(fixedText);
    }

    /// <summary>C's <c>%03ld</c> of a remainder in (-1000, 1000): the sign counts toward the width of 3.</summary>
    private static string ZeroPaddedThree(long remainder)
    {
        string digits = Math.Abs(remainder).ToString(CultureInfo.InvariantCulture);
        return remainder < 0 ? "-" + digits.PadLeft(2, '0') : digits.PadLeft(3, '0');
    }

    private static string TrimFraction(string text) =>
        text.Contains('.', StringComparison.Ordinal) ? text.TrimEnd('0').TrimEnd('.') : text;

    /// <summary>
    /// The positive finite <paramref name="value"/> rounded to <paramref name="count"/> significant
    /// decimal digits, ties to even, from its exact binary expansion; returns the digits and the
    /// decimal exponent of the first one.
    /// </summary>
    private static (string Digits, int Exponent) RoundToSignificantDigits(double value, int count)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        int biasedExponent = (int)((bits >> 52) & 0x7FF);
        long fraction = bits & 0xF_FFFF_FFFF_FFFFL;
        BigInteger mantissa = biasedExponent == 0 ? fraction : fraction | (1L << 52);
        int binaryExponent = (biasedExponent == 0 ? 1 : biasedExponent) - 1075;

        // value = scaled / 10^decimalShift exactly, with scaled an integer.
        BigInteger scaled;
        int decimalShift;
        if (binaryExponent >= 0)
        {
            scaled = mantissa << binaryExponent;
            decimalShift = 0;
        }
        else
        {
            scaled = mantissa * BigInteger.Pow(5, -binaryExponent);
            decimalShift = -binaryExponent;
        }

        string exact = scaled.ToString(CultureInfo.InvariantCulture);
        int exponent = exact.Length - 1 - decimalShift;
        if (exact.Length <= count)
        {
            return (exact.PadRight(count, '0'), exponent);
        }

        BigInteger divisor = BigInteger.Pow(10, exact.Length - count);
        BigInteger kept = BigInteger.DivRem(scaled, divisor, out BigInteger dropped);
        int comparison = (dropped * 2).CompareTo(divisor);
        if (comparison > 0 || (comparison == 0 && !kept.IsEven))
        {
            kept += 1;
        }
        string digits = kept.ToString(CultureInfo.InvariantCulture);
        if (digits.Length > count)
        {
            // 999995 rounded up to 1000000: one more digit, one more power of ten.
            digits = digits[..count];
            exponent++;
        }
        return (digits, exponent);
    }
}
