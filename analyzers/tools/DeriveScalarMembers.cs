#:package Microsoft.CodeAnalysis.CSharp@5.0.0
#:property ManagePackageVersionsCentrally=false
#:property GenerateDocumentationFile=false

// Derives the list SVSR001 checks calls against: every public TorchSharp member that builds a TorchSharp.Scalar it
// does not hand back (an implicit conversion such as the literal 1 passed as add's alpha, or a ToScalar() call) or
// that calls such a member, found by compiling TorchSharp's own source with Roslyn and following its call graph.
// Rerun it when TorchSharp is upgraded, on a checkout of the matching tag:
//   dotnet run analyzers/tools/DeriveScalarMembers.cs -- <TorchSharp checkout>/src/TorchSharp analyzers/StableVsr.Analyzers/TorchSharpScalarMembers.txt
// With a third argument "--why" it prints, per member, the line that builds the Scalar or the member it goes through.
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: DeriveScalarMembers.cs <TorchSharp src/TorchSharp folder> <output list> [--why]");
    return 2;
}

// TorchSharp's net8.0 build, the one its NuGet package serves to our net8.0/net10.0 libraries.
var parseOptions = new CSharpParseOptions(LanguageVersion.Latest, preprocessorSymbols:
    ["NET", "NETCOREAPP", "NETCOREAPP3_0_OR_GREATER", "NETCOREAPP3_1_OR_GREATER", "NET5_0_OR_GREATER", "NET6_0_OR_GREATER", "NET7_0_OR_GREATER", "NET8_0_OR_GREATER"]);
var trees = Directory.EnumerateFiles(args[0], "*.cs", SearchOption.AllDirectories)
    .Where(f => Path.GetFileName(f) != "netstandard.cs")
    .Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), parseOptions, f))
    .ToList();
// Protobuf, SkiaSharp and SharpZipLib are not referenced: only the tensorboard and image-saving code misses them, and
// none of it builds Scalars.
var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
    .Select(p => MetadataReference.CreateFromFile(p));
var compilation = CSharpCompilation.Create("TorchSharp", trees, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
var scalar = compilation.GetTypeByMetadataName("TorchSharp.Scalar") ?? throw new InvalidOperationException($"no TorchSharp.Scalar under {args[0]}");

var builds = new Dictionary<string, List<string>>();
var callees = new Dictionary<string, HashSet<string>>();
var publicMembers = new HashSet<string>();

foreach (var tree in trees)
{
    var model = compilation.GetSemanticModel(tree);
    foreach (var declaration in tree.GetRoot().DescendantNodes())
    {
        var body = declaration switch
        {
            BaseMethodDeclarationSyntax m => (SyntaxNode?)m.Body ?? m.ExpressionBody,
            AccessorDeclarationSyntax a => (SyntaxNode?)a.Body ?? a.ExpressionBody,
            PropertyDeclarationSyntax p => p.ExpressionBody,
            _ => null,
        };
        if (body is null || model.GetDeclaredSymbol(declaration) is not { } symbol)
        {
            continue;
        }

        // A property's getter and setter count as the property, the way callers see it.
        var member = symbol is IMethodSymbol { AssociatedSymbol: IPropertySymbol property } ? property : symbol;
        var id = Id(member);
        if (IsPublic(member))
        {
            publicMembers.Add(id);
        }

        var calls = callees.TryGetValue(id, out var known) ? known : callees[id] = [];
        var operations = body.DescendantNodesAndSelf()
            .Select(n => model.GetOperation(n))
            .OfType<IOperation>()
            .SelectMany(o => o.DescendantsAndSelf())
            .Distinct();
        foreach (var operation in operations)
        {
            if (BuildsTemporaryScalar(operation))
            {
                var line = operation.Syntax.GetLocation().GetLineSpan();
                (builds.TryGetValue(id, out var lines) ? lines : builds[id] = [])
                    .Add($"{Path.GetFileName(line.Path)}:{line.StartLinePosition.Line + 1} {operation.Syntax}");
            }

            var target = operation switch
            {
                IInvocationOperation invocation => invocation.TargetMethod,
                IBinaryOperation binary => binary.OperatorMethod,
                IUnaryOperation unary => unary.OperatorMethod,
                ICompoundAssignmentOperation compound => compound.OperatorMethod,
                IObjectCreationOperation creation => creation.Constructor,
                IConversionOperation { Conversion.IsUserDefined: true } conversion => conversion.Conversion.MethodSymbol,
                IPropertyReferenceOperation reference => (ISymbol)reference.Property,
                _ => null,
            };
            if (target is not null && SymbolEqualityComparer.Default.Equals(target.ContainingAssembly, compilation.Assembly))
            {
                calls.Add(Id(target));
            }
        }
    }
}

// A member that calls a member on the list is on the list: the temporary is built all the same.
var via = builds.Keys.ToDictionary(k => k, _ => (string?)null);
for (var changed = true; changed;)
{
    changed = false;
    foreach (var (caller, calls) in callees)
    {
        if (!via.ContainsKey(caller) && calls.FirstOrDefault(via.ContainsKey) is { } callee)
        {
            via[caller] = callee;
            changed = true;
        }
    }
}

var listed = via.Keys.Where(publicMembers.Contains).Order(StringComparer.Ordinal).ToList();
File.WriteAllLines(args[1], ["# Public TorchSharp members that build a temporary Scalar (SVSR001); written by analyzers/tools/DeriveScalarMembers.cs.", .. listed]);
if (args.Length > 2 && args[2] == "--why")
{
    foreach (var id in listed)
    {
        Console.WriteLine($"{id}\n    {(via[id] is { } callee ? "via " + callee : string.Join("\n    ", builds[id]))}");
    }
}

Console.Error.WriteLine($"{listed.Count} public members written to {args[1]}");
return 0;

bool BuildsTemporaryScalar(IOperation operation)
{
    var builds = operation switch
    {
        IConversionOperation conversion => conversion.Conversion.IsUserDefined && Is(conversion.Type, scalar),
        IInvocationOperation invocation => invocation.TargetMethod.Name == "ToScalar" && Is(invocation.TargetMethod.ReturnType, scalar),
        IObjectCreationOperation creation => Is(creation.Type, scalar),
        _ => false,
    };
    if (!builds)
    {
        return false;
    }

    // Handed back to the caller (a factory) or held by a using: not a temporary of this member.
    var parent = operation.Parent;
    while (parent is IConversionOperation or IParenthesizedOperation)
    {
        parent = parent.Parent;
    }

    var heldByUsing = parent is IVariableInitializerOperation
        && Ancestors(parent).Take(4).Any(a => a is IUsingDeclarationOperation or IUsingOperation);
    return parent is not IReturnOperation && !heldByUsing;
}

static IEnumerable<IOperation> Ancestors(IOperation operation)
{
    for (var p = operation.Parent; p is not null; p = p.Parent)
    {
        yield return p;
    }
}

static bool Is(ITypeSymbol? type, INamedTypeSymbol expected) => SymbolEqualityComparer.Default.Equals(type, expected);

static string Id(ISymbol symbol) => symbol.OriginalDefinition.GetDocumentationCommentId() ?? symbol.ToDisplayString();

static bool IsPublic(ISymbol symbol)
{
    for (var s = symbol; s is not null; s = s.ContainingType)
    {
        if (s.DeclaredAccessibility != Accessibility.Public)
        {
            return false;
        }
    }

    return true;
}
