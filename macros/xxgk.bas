Attribute VB_Name = "xxgk"
' xxgk - the buttons of the macro-enabled report template.
'
' ValidateReport (button "check") and ClearValidation (button "clear marks")
' hand over to the installed Python package through the standalone xlwings
' module (RunPython) that is built into the same workbook.
'
' Rules for this file:
' * ASCII only. Every Chinese text the clerk reads comes from Python
'   (toolkit.excel_button); the messages below are the fallback for when
'   Python cannot be reached at all.
' * The Python command is fixed. It never depends on the workbook's file
'   name, so a renamed copy (e.g. with the unit's name) keeps working.
'
' Built into workbook_template.xlsm by toolkit/macro_template.py.
Option Explicit

Private Const VALIDATE_COMMAND As String = "import toolkit.excel_button as b; b.validate()"
Private Const CLEAR_COMMAND As String = "import toolkit.excel_button as b; b.clear()"
Private Const MESSAGE_TITLE As String = "xxgk"

Public Sub ValidateReport()
    RunToolkit VALIDATE_COMMAND
End Sub

Public Sub ClearValidation()
    RunToolkit CLEAR_COMMAND
End Sub

Private Sub RunToolkit(ByVal pythonCommand As String)
    Dim result As Variant
    On Error GoTo Failed
    result = RunPython(pythonCommand)
    On Error GoTo 0
    ' xlwings returns -1 after it has shown Python's own error message.
    If result = -1 Then
        MsgBox "xxgk: Python could not run the check (see the previous message)." & vbCrLf & vbCrLf & _
               "If it says ""No module named 'xlwings'"" or ""No module named 'toolkit'"", " & _
               "install the toolkit for this Python:  pip install xxgk" & vbCrLf & _
               "You can always check from the command line:  xxgk check <file>", _
               vbExclamation, MESSAGE_TITLE
    End If
    Exit Sub
Failed:
    MsgBox "xxgk: could not start Python." & vbCrLf & _
           "Error " & Err.Number & ": " & Err.Description & vbCrLf & vbCrLf & _
           "Ask your IT staff to install Python with the toolkit (pip install xxgk) and " & _
           "to allow Excel to start it. Until then, check from the command line:  xxgk check <file>", _
           vbExclamation, MESSAGE_TITLE
End Sub
