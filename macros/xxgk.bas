Attribute VB_Name = "xxgk"
' xxgk - the buttons of the macro-enabled report template.
'
' ValidateReport (button "check") and ClearValidation (button "clear marks")
' hand over to the installed Python package through the standalone xlwings
' module (RunPython) that is built into the same workbook.
'
' Rules for this file:
' * ASCII only. Chinese messages are stored as hexadecimal code points and
'   decoded with ChrW (function U); docs/windows-setup.md lists every message
'   in Chinese with its fix. Generated texts come from Python
'   (toolkit.excel_button); the messages below are for when Python cannot
'   be reached at all.
' * Before RunPython, Preflight checks what xlwings would otherwise report
'   in English (or not at all): no interpreter, a wrong interpreter path,
'   xlwings or the toolkit not installed, Python blocked by security
'   software. Each failure shows ONE Chinese message box that says what
'   happened, what to do, and points to the live checks (which need no
'   Python).
' * The Python command is fixed. It never depends on the workbook's file
'   name, so a renamed copy (e.g. with the unit's name) keeps working.
'
' Built into workbook_template.xlsm by toolkit/xlsx/macro_template.py.
Option Explicit

Private Const VALIDATE_COMMAND As String = "import toolkit.excel_button as b; b.validate()"
Private Const CLEAR_COMMAND As String = "import toolkit.excel_button as b; b.clear()"
Private Const MESSAGE_TITLE As String = "xxgk"
Private Const CONF_SHEET As String = "xlwings.conf"
' python -c PROBE exits 3 without xlwings, 4 without the toolkit, 0 when both import.
Private Const PROBE As String = "import sys, importlib.util as u; " & _
    "sys.exit(3 if u.find_spec('xlwings') is None else 4 if u.find_spec('toolkit') is None else 0)"

' Messages (hex code points, see U). English: LIVE = the live checks on the cover and the
' check sheet need neither macros nor Python; NO_PYTHON = Python not found; BAD_PATH = the
' Python this workbook names does not exist; NO_XLWINGS / NO_TOOLKIT = package missing;
' INSTALL_FIX = run pip install xxgk; BLOCKED = Python blocked by security software;
' FAILED = the check raised an error (see the previous box).
Private Const LIVE As String = "5728 6B64 4E4B 524D FF0C 53EF 4EE5 76F4 63A5 770B 672C 5DE5 4F5C 7C3F 81EA 5E26 7684 81EA 52A8 6821 9A8C FF1A 5C01 9762 4E0A 7684 201C 81EA 52A8 6821 9A8C 201D 4E00 884C 548C 201C 6821 9A8C 201D 5DE5 4F5C 8868 FF0C 5B83 4E0D 9700 8981 5B8F FF0C 4E5F 4E0D 9700 8981 20 50 79 74 68 6F 6E 3002"
Private Const NO_PYTHON As String = "6CA1 6709 627E 5230 20 50 79 74 68 6F 6E FF0C 201C 6821 9A8C 201D 6309 94AE 65E0 6CD5 8FD0 884C 3002"
Private Const NO_PYTHON_FIX As String = "8BF7 4FE1 606F 5316 4EBA 5458 5728 672C 673A 5B89 88C5 20 50 79 74 68 6F 6E 20 548C 20 78 78 67 6B FF08 70 69 70 20 69 6E 73 74 61 6C 6C 20 78 78 67 6B FF09 FF0C 5B89 88C5 65F6 52FE 9009 201C 41 64 64 20 70 79 74 68 6F 6E 2E 65 78 65 20 74 6F 20 50 41 54 48 201D FF1B 6216 5728 751F 6210 6A21 677F 65F6 7528 20 2D 2D 70 79 74 68 6F 6E 20 6307 5B9A 20 50 79 74 68 6F 6E 20 8DEF 5F84 3002"
Private Const BAD_PATH As String = "672C 5DE5 4F5C 7C3F 6307 5B9A 7684 20 50 79 74 68 6F 6E 20 4E0D 5B58 5728 FF1A"
Private Const BAD_PATH_FIX As String = "8BF7 4FE1 606F 5316 4EBA 5458 786E 8BA4 20 50 79 74 68 6F 6E 20 7684 5B89 88C5 4F4D 7F6E FF0C 7528 20 78 78 67 6B 20 74 65 6D 70 6C 61 74 65 20 2D 2D 6D 61 63 72 6F 20 2D 2D 70 79 74 68 6F 6E 20 6B63 786E 8DEF 5F84 20 91CD 65B0 751F 6210 6A21 677F FF0C 6216 5728 672C 673A 8BE5 4F4D 7F6E 5B89 88C5 20 50 79 74 68 6F 6E 3002"
Private Const NO_XLWINGS As String = "672C 673A 7684 20 50 79 74 68 6F 6E 20 7F3A 5C11 20 78 6C 77 69 6E 67 73 20 7EC4 4EF6 FF0C 201C 6821 9A8C 201D 6309 94AE 65E0 6CD5 8FD0 884C 3002"
Private Const NO_TOOLKIT As String = "672C 673A 7684 20 50 79 74 68 6F 6E 20 6CA1 6709 5B89 88C5 20 78 78 67 6B 20 5DE5 5177 FF0C 201C 6821 9A8C 201D 6309 94AE 65E0 6CD5 8FD0 884C 3002"
Private Const INSTALL_FIX As String = "8BF7 4FE1 606F 5316 4EBA 5458 5728 547D 4EE4 63D0 793A 7B26 4E2D 8FD0 884C FF1A 70 69 70 20 69 6E 73 74 61 6C 6C 20 78 78 67 6B FF08 4F1A 540C 65F6 5B89 88C5 20 78 6C 77 69 6E 67 73 FF09 3002"
Private Const BLOCKED As String = "45 78 63 65 6C 20 65E0 6CD5 542F 52A8 20 50 79 74 68 6F 6E FF0C 53EF 80FD 88AB 6740 6BD2 8F6F 4EF6 FF08 5982 20 57 69 6E 64 6F 77 73 20 44 65 66 65 6E 64 65 72 FF09 6216 5355 4F4D 7684 5B89 5168 7B56 7565 62E6 622A 3002"
Private Const BLOCKED_FIX As String = "8BF7 4FE1 606F 5316 4EBA 5458 628A 20 50 79 74 68 6F 6E 20 548C 20 45 78 63 65 6C 20 8C03 7528 20 50 79 74 68 6F 6E 20 52A0 5165 6740 6BD2 8F6F 4EF6 7684 5141 8BB8 5217 8868 FF0C 6216 6539 7528 547D 4EE4 20 78 78 67 6B 20 63 68 65 63 6B 20 6587 4EF6 540D 20 6821 9A8C 3002"
Private Const FAILED As String = "6821 9A8C 7A0B 5E8F 8FD0 884C 65F6 51FA 9519 FF08 8BE6 60C5 89C1 4E0A 4E00 4E2A 63D0 793A 6846 FF09 3002"
Private Const FAILED_FIX As String = "8BF7 628A 4E0A 4E00 4E2A 63D0 793A 6846 7684 5185 5BB9 622A 56FE 53D1 7ED9 4FE1 606F 5316 4EBA 5458 FF1B 4E5F 53EF 4EE5 7528 547D 4EE4 20 78 78 67 6B 20 63 68 65 63 6B 20 6587 4EF6 540D 20 6821 9A8C 3002"
Private Const ERROR As String = "9519 8BEF"

Public Sub ValidateReport()
    RunToolkit VALIDATE_COMMAND
End Sub

Public Sub ClearValidation()
    RunToolkit CLEAR_COMMAND
End Sub

Private Sub RunToolkit(ByVal pythonCommand As String)
    Dim result As Variant
    If Not Preflight() Then Exit Sub
    On Error GoTo Failed
    result = RunPython(pythonCommand)
    On Error GoTo 0
    ' xlwings returns -1 after it has shown Python's own error message.
    If result = -1 Then Tell U(FAILED), U(FAILED_FIX)
    Exit Sub
Failed:
    Tell U(BLOCKED) & " (" & U(ERROR) & " " & Err.Number & ": " & Err.Description & ")", U(BLOCKED_FIX)
End Sub

' True when Python, xlwings and the toolkit are there; otherwise one message box.
Private Function Preflight() As Boolean
    Dim interpreter As String, shell As Object, code As Long
    interpreter = ConfiguredInterpreter()
    If interpreter <> "" Then
        interpreter = ExpandEnvironment(interpreter)
        If Not FileExists(interpreter) Then
            Tell U(BAD_PATH) & interpreter, U(BAD_PATH_FIX)
            Exit Function
        End If
    Else
        interpreter = "python"
    End If
    On Error GoTo Blocked
    Set shell = CreateObject("WScript.Shell")
    code = shell.Run("cmd.exe /C """ & Quoted(interpreter) & " -c """ & PROBE & """""", 0, True)
    On Error GoTo 0
    Select Case code
        Case 0
            Preflight = True
        Case 3
            Tell U(NO_XLWINGS), U(INSTALL_FIX)
        Case 4
            Tell U(NO_TOOLKIT), U(INSTALL_FIX)
        Case 9009
            ' cmd.exe: "'python' is not recognized" (or the Microsoft Store alias)
            Tell U(NO_PYTHON), U(NO_PYTHON_FIX)
        Case Else
            Tell U(BLOCKED) & " (" & U(ERROR) & " " & code & ")", U(BLOCKED_FIX)
    End Select
    Exit Function
Blocked:
    Tell U(BLOCKED) & " (" & U(ERROR) & " " & Err.Number & ": " & Err.Description & ")", U(BLOCKED_FIX)
End Function

' Interpreter_Win from the very hidden xlwings.conf sheet ("" when not set).
Private Function ConfiguredInterpreter() As String
    Dim ws As Object, r As Long
    On Error Resume Next
    Set ws = ThisWorkbook.Worksheets(CONF_SHEET)
    On Error GoTo 0
    If ws Is Nothing Then Exit Function
    For r = 1 To 20
        If UCase(CStr(ws.Cells(r, 1).Value)) = "INTERPRETER_WIN" Then
            ConfiguredInterpreter = CStr(ws.Cells(r, 2).Value)
            Exit Function
        End If
    Next r
End Function

Private Function FileExists(ByVal path As String) As Boolean
    On Error Resume Next
    FileExists = CreateObject("Scripting.FileSystemObject").FileExists(path)
End Function

Private Function ExpandEnvironment(ByVal path As String) As String
    On Error Resume Next
    ExpandEnvironment = path
    ExpandEnvironment = CreateObject("WScript.Shell").ExpandEnvironmentStrings(path)
End Function

Private Function Quoted(ByVal path As String) As String
    If InStr(path, " ") > 0 Then Quoted = """" & path & """" Else Quoted = path
End Function

Private Sub Tell(ByVal what As String, ByVal fix As String)
    MsgBox what & vbCrLf & vbCrLf & fix & vbCrLf & vbCrLf & U(LIVE), vbExclamation, MESSAGE_TITLE
End Sub

' Decode "4E0D 80FD" (hexadecimal code points separated by spaces) with ChrW.
Private Function U(ByVal codes As String) As String
    Dim parts() As String, i As Long
    parts = Split(codes, " ")
    For i = 0 To UBound(parts)
        U = U & ChrW(CLng("&H" & parts(i)))
    Next i
End Function
