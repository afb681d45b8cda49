using System.Reflection;
using System.Runtime.CompilerServices;

[assembly: AssemblyTitle("PostQ")]
[assembly: AssemblyDescription("The postq post-quantum security SDK for .NET (over libpostq_ffi).")]
[assembly: AssemblyVersion("0.1.0.0")]
// The test runner reads the command names and records the commands it sends.
[assembly: InternalsVisibleTo("PostQ.Tests")]
