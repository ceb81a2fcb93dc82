#!/usr/bin/env python3
"""gen-docs-office.py - office documents for tests/docs-office.sh, written
by hand with zipfile: minimal packages of docx, pptx, odt, odp, ott, otp
whose XML exercises one text rule each (wcindex(1), DOCUMENTS), random
ones built of the same pieces, and hostile ones.

usage: gen-docs-office.py DIR [SEED]
writes the documents into DIR and DIR/list, one line per document:
    NAME KIND
KIND: ref (compare with tests/ref_office.py), chunk (the same, and at
every read size), hostile (a status line is all that is asked),
bomb (status limit), deep and laughs (damaged or ok, quickly),
encrypted (status encrypted).
"""

import os
import random
import struct
import sys
import zipfile
import zlib

W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main'
WS = 'http://purl.oclc.org/ooxml/wordprocessingml/main'
NSDECL = ('xmlns:w="%s" '
          'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
          'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
          'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
          'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
          'xmlns:v="urn:schemas-microsoft-com:vml" '
          'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" '
          'xmlns:wpc="http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas" '
          'mc:Ignorable="wps"')
OX = 'application/vnd.openxmlformats-officedocument.'
DOCX_MAIN = OX + 'wordprocessingml.document.main+xml'
PPTX_MAIN = OX + 'presentationml.presentation.main+xml'

out = {}        # name -> (bytes, kind)


def add(name, data, kind='ref'):
    assert name not in out, name
    out[name] = (data, kind)


def content_types(overrides):
    s = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
         '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
         '<Default Extension="xml" ContentType="application/xml"/>']
    for part, ct in overrides:
        s.append('<Override PartName="%s" ContentType="%s"/>' % (part, ct))
    s.append('</Types>')
    return ''.join(s)


RELS = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/officeDocument" Target="%s"/></Relationships>')


def package(files, compress=zipfile.ZIP_DEFLATED):
    import io
    b = io.BytesIO()
    with zipfile.ZipFile(b, 'w', compress) as z:
        for name, data in files:
            if isinstance(data, str):
                data = data.encode('utf-8')
            z.writestr(name, data)
    return b.getvalue()


def docx(body, footnotes=None, endnotes=None, main_ct=DOCX_MAIN, ns=W,
         main_name='word/document.xml', ct_name=None, extra=(), encoding=None):
    head = '<?xml version="1.0" encoding="%s" standalone="yes"?>\n' % (encoding or 'UTF-8')
    doc = head + '<w:document %s><w:body>%s<w:sectPr/></w:body></w:document>' % (
        NSDECL % ns, body)
    ov = [('/' + (ct_name or main_name), main_ct)]
    files = [('word/document.xml' if main_name == 'word/document.xml' else main_name,
              doc.encode(encoding) if encoding else doc)]
    for kind, notes in (('footnotes', footnotes), ('endnotes', endnotes)):
        if notes is None:
            continue
        tag = kind[:-1]
        x = head + '<w:%s %s>%s</w:%s>' % (kind, NSDECL % ns, notes, kind)
        files.append(('word/%s.xml' % kind, x))
        ov.append(('/word/%s.xml' % kind, OX + 'wordprocessingml.%s+xml' % kind))
        assert tag
    for name, ct, data in extra:
        files.append((name, data))
        if ct:
            ov.append(('/' + name, ct))
    return package([('[Content_Types].xml', content_types(ov)),
                    ('_rels/.rels', RELS % main_name)] + files)


def p(*runs, ppr=''):
    return '<w:p>%s%s</w:p>' % (ppr, ''.join(runs))


def r(text, preserve=True):
    sp = ' xml:space="preserve"' if preserve else ''
    return '<w:r><w:t%s>%s</w:t></w:r>' % (sp, text)


def note(kind, nid, body, typ=None):
    t = ' w:type="%s"' % typ if typ else ''
    return '<w:%s w:id="%d"%s>%s</w:%s>' % (kind, nid, t, body, kind)


SEPS = lambda kind: (note(kind, -1, p('<w:r><w:separator/></w:r>'), 'separator') +  # noqa: E731
                     note(kind, 0, p('<w:r><w:continuationSeparator/></w:r>', r('cont sep')),
                          'continuationSeparator') +
                     note(kind, 2, p(r('notice text')), 'continuationNotice'))

TEXTBOX = ('<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor>'
           '<a:graphic><a:graphicData><wps:wsp><wps:txbx><w:txbxContent>'
           '<w:p><w:r><w:t>boxed words here</w:t></w:r></w:p>'
           '</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic>'
           '</wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>'
           '<w:txbxContent><w:p><w:r><w:t>boxed words here</w:t></w:r></w:p></w:txbxContent>'
           '</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>')

FIELD = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
         '<w:r><w:instrText xml:space="preserve"> PAGE \\* MERGEFORMAT </w:instrText></w:r>'
         '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
         '<w:r><w:t>17</w:t></w:r>'
         '<w:r><w:fldChar w:fldCharType="end"/></w:r>')

NESTED_FIELD = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                '<w:r><w:instrText> IF </w:instrText></w:r>'
                '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                '<w:r><w:instrText> MERGEFIELD x </w:instrText></w:r>'
                '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                '<w:r><w:t>codevalue</w:t></w:r>'
                '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
                '<w:r><w:instrText> = "" "a" "b" </w:instrText></w:r>'
                '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                '<w:r><w:t>shown result</w:t></w:r>'
                '<w:r><w:fldChar w:fldCharType="end"/></w:r>')

TABLE = ('<w:tbl><w:tblPr/><w:tr><w:tc><w:tcPr/>%s</w:tc><w:tc>%s</w:tc></w:tr>'
         '<w:tr><w:tc>%s</w:tc><w:tc>%s</w:tc></w:tr></w:tbl>') % (
    p(r('cell one')), p(r('cell two')), p(r('\u4e2d\u6587 cell')), p(r('last')))

UNI = ('na\u00efve caf\u00e9 \u4e2d\u6587\u5b57 \U0001F600 smile \u0645\u0631\u062d\u0628\u0627 '
       '\u00a0nbsp\u2003emspace \u05e9\u05dc\u05d5\u05dd')


def docx_cases():
    add('split-runs.docx', docx(p(r('wo'), r('rd'), r(' two'), r(' thr'), r('ee'))), 'chunk')
    add('tabs-breaks.docx', docx(
        p(r('a'), '<w:r><w:tab/><w:t>b</w:t><w:br/><w:t>c</w:t><w:cr/><w:t>d</w:t>'
          '<w:ptab w:relativeTo="margin" w:alignment="right" w:leader="none"/><w:t>e</w:t></w:r>',
          ppr='<w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>')), 'chunk')
    add('tracked.docx', docx(
        p(r('kept '), '<w:ins w:id="1" w:author="x"><w:r><w:t>inserted</w:t></w:r></w:ins>',
          '<w:del w:id="2" w:author="x"><w:r><w:delText>deleted words</w:delText></w:r></w:del>',
          r(' end'), '<w:moveFrom w:id="3"><w:r><w:t>moved away</w:t></w:r></w:moveFrom>',
          '<w:moveTo w:id="4"><w:r><w:t> moved here</w:t></w:r></w:moveTo>',
          ppr='<w:pPr><w:rPr><w:del w:id="5" w:author="x"/></w:rPr></w:pPr>') +
        '<w:del w:id="6"><w:p><w:r><w:delText>whole deleted paragraph</w:delText></w:r></w:p></w:del>'),
        'chunk')
    add('fields.docx', docx(p(r('Page '), FIELD, r(' of '), NESTED_FIELD) +
                            p('<w:fldSimple w:instr=" NUMPAGES "><w:r><w:t>9</w:t></w:r></w:fldSimple>') +
                            p('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                              '<w:r><w:instrText>TOC</w:instrText></w:r>'
                              '<w:r><w:fldChar w:fldCharType="separate"/></w:r>', r('Heading entry')) +
                            p(r('second toc line'), '<w:r><w:fldChar w:fldCharType="end"/></w:r>')),
        'chunk')
    add('textbox.docx', docx(p(r('before '), TEXTBOX, r(' after')) +
                             p('<w:r><w:pict><v:shape><v:textbox><w:txbxContent>'
                               '<w:p><w:r><w:t>vml only box</w:t></w:r></w:p>'
                               '</w:txbxContent></v:textbox></v:shape></w:pict></w:r>') +
                             p('<mc:AlternateContent><mc:Fallback><w:r><w:t>fallback alone</w:t>'
                               '</w:r></mc:Fallback></mc:AlternateContent>') +
                             p('<mc:AlternateContent><mc:Choice Requires="a"><w:r><w:t>first choice'
                               '</w:t></w:r></mc:Choice><mc:Choice Requires="b"><w:r><w:t>second '
                               'choice</w:t></w:r></mc:Choice></mc:AlternateContent>')), 'chunk')
    fn = SEPS('footnote') + note('footnote', 1, p(r('Footnote body text.')))
    en = SEPS('endnote') + note('endnote', 1, p(r('Endnote body.')) + p(r('second para')))
    add('notes.docx', docx(p(r('Text'), '<w:r><w:footnoteReference w:id="1"/></w:r>', r('.'),
                             r(' More'), '<w:r><w:endnoteReference w:id="1"/></w:r>'),
                           footnotes=fn, endnotes=en), 'chunk')
    add('table.docx', docx(p(r('Intro')) + TABLE + p(r('outro'))))
    add('unicode.docx', docx(''.join(p(r(UNI + ' %d' % i)) for i in range(40))), 'chunk')
    add('charrefs.docx', docx(p(r('&#x4E2D;&#x6587; &#20013; fish&amp;chips &lt;tag&gt; '
                                  '&#x1F600;x &quot;q&quot; a&#x9;b c&#xA;d e&#xD;f'))), 'chunk')
    add('space.docx', docx(p(r('  lead', False), r('trail  ', False), r(' mid dle ', False),
                             r('x', False)) +
                           p(r('  kept', True), r('spaces  ', True), r('y'))), 'chunk')
    add('symbols.docx', docx(p(r('non'), '<w:r><w:noBreakHyphen/></w:r>', r('breaking'),
                               r(' soft'), '<w:r><w:softHyphen/></w:r>', r('hyphen'),
                               r(' sym'), '<w:r><w:sym w:font="Wingdings" w:char="F0E0"/></w:r>',
                               r(' '), '<w:r><w:sym w:font="Symbol" w:char="03B1"/></w:r>',
                               r(' bad'), '<w:r><w:sym w:char="zz"/><w:sym w:char="0001"/></w:r>')))
    add('math.docx', docx(p(r('Area '), '<m:oMath><m:r><m:t>A</m:t></m:r><m:r><m:t>=</m:t></m:r>'
                            '<m:r><m:t>\u03c0r</m:t></m:r></m:oMath>', r(' done'))))
    add('template.dotx', docx(p(r('template text')),
                              main_ct=OX + 'wordprocessingml.template.main+xml'))
    add('macro.docm', docx(p(r('macro text')),
                           main_ct='application/vnd.ms-word.document.macroEnabled.main+xml'))
    add('macrotpl.dotm', docx(p(r('macro template')),
                              main_ct='application/vnd.ms-word.template.macroEnabledTemplate.main+xml'))
    add('strict.docx', docx(p(r('strict namespace words')) +
                            p('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                              '<w:r><w:fldChar w:fldCharType="separate"/></w:r>', r('res'),
                              '<w:r><w:fldChar w:fldCharType="end"/></w:r>'), ns=WS))
    add('cdata.docx', docx(p('<w:r><w:t><![CDATA[cdata <words> here]]></w:t></w:r>')))
    add('casename.docx', docx(p(r('odd case name')), ct_name='WORD/Document.XML'))
    add('utf16.docx', docx(p(r(UNI)), encoding='UTF-16'), 'chunk')
    add('empty.docx', docx(''))
    add('nested-p.docx', docx(p(r('outer'), TEXTBOX, r('tail')) + TABLE.replace(
        'cell two', 'nested <w:tbl><w:tr><w:tc><w:p><w:r><w:t>inner</w:t></w:r></w:p></w:tc>'
        '</w:tr></w:tbl>')))
    add('comments-hf.docx', docx(p(r('body only')), extra=[
        ('word/comments.xml', OX + 'wordprocessingml.comments+xml',
         '<w:comments xmlns:w="%s"><w:comment w:id="0"><w:p><w:r><w:t>a comment</w:t>'
         '</w:r></w:p></w:comment></w:comments>' % W),
        ('word/header1.xml', OX + 'wordprocessingml.header+xml',
         '<w:hdr xmlns:w="%s"><w:p><w:r><w:t>header</w:t></w:r></w:p></w:hdr>' % W)]))
    add('not-office.zip', package([('hello.txt', 'hello')]))


# ------------------------------------------------------------------ pptx ---

PNS = ('xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
       'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
       'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"')


def sp(*paras):
    return ('<p:sp><p:nvSpPr><p:cNvPr id="2" name="Title 1"/></p:nvSpPr><p:txBody>'
            '<a:bodyPr/><a:lstStyle/>%s</p:txBody></p:sp>' % ''.join(paras))


def ap(*runs):
    return '<a:p><a:pPr><a:tabLst><a:tab pos="0" algn="l"/></a:tabLst></a:pPr>%s' \
           '<a:endParaRPr lang="en-US"/></a:p>' % ''.join(runs)


def ar(text):
    return '<a:r><a:rPr lang="en-US"/><a:t>%s</a:t></a:r>' % text


def slide(*shapes):
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<p:sld %s><p:cSld>'
            '<p:spTree>%s</p:spTree></p:cSld></p:sld>' % (PNS, ''.join(shapes)))


def pptx(slides, diagrams=(), main_ct=PPTX_MAIN, notes=()):
    files = [('ppt/presentation.xml', '<p:presentation %s/>' % PNS)]
    ov = [('/ppt/presentation.xml', main_ct)]
    for i, s in enumerate(slides, 1):
        files.append(('ppt/slides/slide%d.xml' % i, s))
        ov.append(('/ppt/slides/slide%d.xml' % i, OX + 'presentationml.slide+xml'))
    for i, d in enumerate(diagrams, 1):
        files.append(('ppt/diagrams/data%d.xml' % i, d))
        ov.append(('/ppt/diagrams/data%d.xml' % i, OX + 'drawingml.diagramData+xml'))
        files.append(('ppt/diagrams/drawing%d.xml' % i, d))
        ov.append(('/ppt/diagrams/drawing%d.xml' % i,
                   'application/vnd.ms-office.drawingml.diagramDrawing+xml'))
    for i, n in enumerate(notes, 1):
        files.append(('ppt/notesSlides/notesSlide%d.xml' % i, n))
        ov.append(('/ppt/notesSlides/notesSlide%d.xml' % i, OX + 'presentationml.notesSlide+xml'))
    return package([('[Content_Types].xml', content_types(ov)),
                    ('_rels/.rels', RELS % 'ppt/presentation.xml')] + files)


PTABLE = ('<p:graphicFrame><a:graphic><a:graphicData><a:tbl><a:tr h="1">'
          '<a:tc><a:txBody><a:bodyPr/>%s</a:txBody></a:tc>'
          '<a:tc><a:txBody><a:bodyPr/>%s</a:txBody></a:tc></a:tr></a:tbl>'
          '</a:graphicData></a:graphic></p:graphicFrame>') % (ap(ar('cell A')), ap(ar('cell B two')))

DGM = ('<?xml version="1.0" encoding="UTF-8"?>\n<dgm:dataModel xmlns:dgm="http://schemas.'
       'openxmlformats.org/drawingml/2006/diagram" %s><dgm:ptLst>'
       '<dgm:pt modelId="1"><dgm:t><a:bodyPr/>%s</dgm:t></dgm:pt>'
       '<dgm:pt modelId="2" type="parTrans"><dgm:t><a:bodyPr/><a:p><a:endParaRPr/></a:p></dgm:t></dgm:pt>'
       '<dgm:pt modelId="3"><dgm:t><a:bodyPr/>%s</dgm:t></dgm:pt>'
       '</dgm:ptLst></dgm:dataModel>') % (PNS, ap(ar('smart art one')), ap(ar('second node')))


def pptx_cases():
    add('slides.pptx', pptx([
        slide(sp(ap(ar('Title of'), ar(' the deck')), ap(ar('sub'), ar('title')))),
        slide(sp(ap(ar('line one'), '<a:br><a:rPr/></a:br>', ar('line two')),
                 ap(ar('Slide '), '<a:fld id="{1}" type="slidenum"><a:rPr/><a:t>2</a:t></a:fld>')),
              PTABLE),
        slide(sp(ap(ar(UNI)), ap(ar('tab\there &amp; &#x4E2D;')))),
        slide('<mc:AlternateContent><mc:Choice Requires="p14">%s</mc:Choice><mc:Fallback>%s'
              '</mc:Fallback></mc:AlternateContent>' % (sp(ap(ar('alt words'))), sp(ap(ar('alt words'))))),
    ], diagrams=[DGM], notes=[slide(sp(ap(ar('speaker notes not counted'))))]), 'chunk')
    add('empty.pptx', pptx([slide()]))
    add('show.ppsx', pptx([slide(sp(ap(ar('slideshow words'))))],
                          main_ct=OX + 'presentationml.slideshow.main+xml'))
    add('tmpl.potx', pptx([slide(sp(ap(ar('template words'))))],
                          main_ct=OX + 'presentationml.template.main+xml'))
    add('macro.pptm', pptx([slide(sp(ap(ar('macro slides'))))],
                           main_ct='application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml'))


# ------------------------------------------------------------------- ODF ---

ODNS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
        'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
        'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:form="urn:oasis:names:tc:opendocument:xmlns:form:1.0" '
        'office:version="1.3"')
MT = 'application/vnd.oasis.opendocument.'
MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest='
            '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type="%s"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"%s'
            '</manifest:manifest>')
ENC = ('><manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x">'
       '<manifest:algorithm manifest:algorithm-name="Blowfish CFB"/></manifest:encryption-data>'
       '</manifest:file-entry>')


def odf(body, mimetype=MT + 'text', kind='text', mimetype_last=False, encrypted=False):
    content = ('<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content %s>'
               '<office:automatic-styles/><office:body><office:%s>%s</office:%s></office:body>'
               '</office:document-content>' % (ODNS, kind, body, kind))
    files = [('META-INF/manifest.xml', MANIFEST % (mimetype, ENC if encrypted else '/>')),
             ('content.xml', content if not encrypted else os.urandom(200)),
             ('styles.xml', '<office:document-styles %s><office:master-styles><text:p>'
                            'style words</text:p></office:master-styles></office:document-styles>' % ODNS)]
    import io
    b = io.BytesIO()
    with zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED) as z:
        if not mimetype_last:
            z.writestr(zipfile.ZipInfo('mimetype'), mimetype, zipfile.ZIP_STORED)
        for name, data in files:
            z.writestr(name, data)
        if mimetype_last:
            z.writestr(zipfile.ZipInfo('mimetype'), mimetype, zipfile.ZIP_STORED)
    return b.getvalue()


def tp(text, tag='p'):
    return '<text:%s>%s</text:%s>' % (tag, text, tag)


OTABLE = ('<table:table table:name="T"><table:table-column/><table:table-row>'
          '<table:table-cell>%s</table:table-cell><table:covered-table-cell/>'
          '<table:table-cell>%s%s</table:table-cell></table:table-row></table:table>') % (
    tp('cell one'), tp('cell two'), tp('\u4e2d\u6587'))

OLIST = ('<text:list><text:list-item>%s</text:list-item><text:list-item>%s<text:list>'
         '<text:list-item>%s</text:list-item></text:list></text:list-item>'
         '<text:list-header>%s</text:list-header></text:list>') % (
    tp('first item'), tp('second'), tp('nested item'), tp('header'))


def odf_cases():
    decls = ('<text:sequence-decls><text:sequence-decl text:display-outline-level="0" '
             'text:name="Figure"/></text:sequence-decls><text:variable-decls>'
             '<text:variable-decl text:name="v"/></text:variable-decls>'
             '<office:forms><form:form><form:property>form words</form:property></form:form></office:forms>')
    add('spaces.odt', odf(decls + tp('Hello<text:s text:c="5"/>world<text:tab/>tab'
                                     '<text:line-break/>next<text:s/>line') +
                          tp('  leading   and\n  newline  ') +
                          tp('Heading <text:span>spanned</text:span>word', 'h')), 'chunk')
    add('tracked.odt', odf('<text:tracked-changes><text:changed-region text:id="c1"><text:deletion>'
                           '<office:change-info><dc:creator>me</dc:creator></office:change-info>'
                           '<text:p>deleted text here</text:p></text:deletion></text:changed-region>'
                           '</text:tracked-changes>' +
                           tp('kept <text:change text:change-id="c1"/>text')), 'chunk')
    add('notes.odt', odf(tp('Word<text:note text:id="n1" text:note-class="footnote">'
                            '<text:note-citation>1</text:note-citation><text:note-body>'
                            '<text:p>the footnote body</text:p><text:p>two</text:p></text:note-body>'
                            '</text:note>. After the note<text:note text:note-class="endnote">'
                            '<text:note-citation text:label="*">*</text:note-citation>'
                            '<text:note-body><text:p>end note</text:p></text:note-body></text:note>') +
                         tp('second paragraph')), 'chunk')
    add('annot.odt', odf(tp('text<office:annotation><dc:creator>A</dc:creator><dc:date>2020</dc:date>'
                            '<text:p>a comment</text:p></office:annotation> rest'
                            '<office:annotation-end/>')))
    add('table.odt', odf(OTABLE + OLIST))
    add('frame.odt', odf(tp('anchor <draw:frame><svg:title>img title</svg:title><svg:desc>alt desc'
                            '</svg:desc><draw:text-box><text:p>box text</text:p></draw:text-box>'
                            '</draw:frame>after')))
    add('fields.odt', odf(tp('Date <text:date>2024-01-02</text:date> page '
                             '<text:page-number>3</text:page-number> <text:sequence '
                             'text:name="Figure">1</text:sequence> <text:a>link text</text:a>'
                             '<text:soft-page-break/>')))
    add('unicode.odt', odf(''.join(tp(UNI + ' &#x4E2D;&amp; %d' % i) for i in range(40))), 'chunk')
    add('template.ott', odf(tp('template words'), MT + 'text-template'))
    add('mimelast.odt', odf(tp('mimetype at the end'), mimetype_last=True))
    add('slides.odp', odf('<draw:page draw:name="page1"><draw:frame><draw:text-box>' +
                          tp('slide title') + OLIST + '</draw:text-box></draw:frame>'
                          '<draw:custom-shape>' + tp('shape text') + '</draw:custom-shape>'
                          '<presentation:notes><draw:frame><draw:text-box>' + tp('speaker notes') +
                          '</draw:text-box></draw:frame></presentation:notes></draw:page>'
                          '<draw:page>' + OTABLE + '</draw:page>',
                          MT + 'presentation', 'presentation'), 'chunk')
    add('template.otp', odf('<draw:page>' + tp('presentation template') + '</draw:page>',
                            MT + 'presentation-template', 'presentation'))
    add('crypt.odt', odf(tp('secret'), encrypted=True), 'encrypted')
    add('crypt.odp', odf(tp('secret'), MT + 'presentation', 'presentation', encrypted=True),
        'encrypted')
    add('empty.odt', odf(''))
    add('odg.odt', odf(tp('a drawing'), MT + 'graphics'))


# ---------------------------------------------------------------- random ---

WORDS = ['alpha', 'beta', 'ga', 'mma', '\u4e2d\u6587', 'caf\u00e9', '\U0001F600', 'x', '&amp;',
         '&#x4E2D;', 'de-lta', ' ', '  ', '\t', 'end.']


def rand_text(rng):
    return ''.join(rng.choice(WORDS) for _ in range(rng.randint(0, 6)))


def rand_docx(rng):
    pieces = [lambda: r(rand_text(rng), rng.random() < 0.7), lambda: '<w:r><w:tab/></w:r>',
              lambda: '<w:r><w:br/></w:r>', lambda: FIELD, lambda: NESTED_FIELD,
              lambda: TEXTBOX, lambda: '<w:del><w:r><w:delText>%s</w:delText></w:r></w:del>' % rand_text(rng),
              lambda: '<w:ins><w:r><w:t>%s</w:t></w:r></w:ins>' % rand_text(rng),
              lambda: '<w:r><w:noBreakHyphen/><w:softHyphen/></w:r>',
              lambda: '<w:hyperlink>%s</w:hyperlink>' % r(rand_text(rng))]
    paras = [p(*[rng.choice(pieces)() for _ in range(rng.randint(0, 8))])
             for _ in range(rng.randint(1, 12))]
    if rng.random() < 0.3:
        paras.append(TABLE)
    fn = SEPS('footnote') + note('footnote', 1, p(r(rand_text(rng))))
    return docx(''.join(paras), footnotes=fn if rng.random() < 0.5 else None)


def rand_pptx(rng):
    pieces = [lambda: ar(rand_text(rng)), lambda: '<a:br/>',
              lambda: '<a:fld id="1" type="slidenum"><a:t>%s</a:t></a:fld>' % rand_text(rng)]
    slides = [slide(*[sp(*[ap(*[rng.choice(pieces)() for _ in range(rng.randint(0, 5))])
                           for _ in range(rng.randint(0, 4))]) for _ in range(rng.randint(0, 3))])
              for _ in range(rng.randint(1, 5))]
    return pptx(slides, diagrams=[DGM] if rng.random() < 0.3 else ())


def rand_odt(rng):
    pieces = [lambda: rand_text(rng), lambda: '<text:s text:c="3"/>', lambda: '<text:tab/>',
              lambda: '<text:line-break/>', lambda: '<text:span>%s</text:span>' % rand_text(rng),
              lambda: '<text:note><text:note-citation>1</text:note-citation><text:note-body>'
                      '<text:p>%s</text:p></text:note-body></text:note>' % rand_text(rng),
              lambda: '<office:annotation><text:p>%s</text:p></office:annotation>' % rand_text(rng)]
    paras = [tp(''.join(rng.choice(pieces)() for _ in range(rng.randint(0, 8))),
                rng.choice(['p', 'h'])) for _ in range(rng.randint(1, 10))]
    if rng.random() < 0.3:
        paras.append(OTABLE)
    return odf(''.join(paras))


# --------------------------------------------------------------- hostile ---

def raw_zip(entries):
    """A zip of (name, method, stored bytes, crc, size) as given: for parts
    no zipfile would write (a bomb, a duplicate name)."""
    body, cd = b'', b''
    for name, method, data, crc, size in entries:
        n = name.encode()
        off = len(body)
        body += struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, 0, method, 0, 0, crc,
                            len(data), size, len(n), 0) + n + data
        cd += struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 20, 20, 0, method, 0, 0, crc,
                          len(data), size, len(n), 0, 0, 0, 0, 0, off) + n
    end = struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, len(entries), len(entries),
                      len(cd), len(body), 0)
    return body + cd + end


def deflated(data):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def plain(name, data):
    if isinstance(data, str):
        data = data.encode()
    return (name, 8, deflated(data), zlib.crc32(data), len(data))


def bomb(gigs):
    """A docx whose document.xml is a w:t of gigs GiB of spaces."""
    head = ('<w:document xmlns:w="%s"><w:body><w:p><w:r><w:t>bomb ' % W).encode()
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    block = b' ' * (1 << 20)
    rep = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    n = gigs << 10
    crc = zlib.crc32(head)
    data = first + rep * n + c.flush()
    size = len(head) + n * len(block)
    return raw_zip([plain('[Content_Types].xml', content_types([('/word/document.xml', DOCX_MAIN)])),
                    ('word/document.xml', 8, data, crc, size & 0xffffffff)])


def hostile_cases(rng):
    add('bomb.docx', bomb(2), 'bomb')
    ct = content_types([('/word/document.xml', DOCX_MAIN)])
    laughs = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">' +
              ''.join('<!ENTITY lol%d "%s">' % (i, ('&lol%s;' % (i - 1 if i > 1 else '')) * 10)
                      for i in range(1, 10)) +
              ']><w:document xmlns:w="%s"><w:body><w:p><w:r><w:t>a &lol9; b</w:t></w:r></w:p>'
              '</w:body></w:document>' % W)
    add('laughs.docx', raw_zip([plain('[Content_Types].xml', ct),
                                plain('word/document.xml', laughs)]), 'laughs')
    deep = ('<w:document xmlns:w="%s"><w:body><w:p>' % W + '<w:r>' * 100000 +
            '<w:t>deep</w:t>' + '</w:r>' * 100000 + '</w:p></w:body></w:document>')
    add('deep.docx', raw_zip([plain('[Content_Types].xml', ct), plain('word/document.xml', deep)]),
        'deep')
    deep_odt = odf('<text:p>' + '<text:span>' * 100000 + 'x' + '</text:span>' * 100000 + '</text:p>')
    add('deep.odt', deep_odt, 'deep')
    dup = raw_zip([plain('[Content_Types].xml', ct), plain('word/document.xml', '<bad'),
                   plain('word/document.xml', docx_xml('dup words'))])
    add('dup.docx', dup, 'hostile')
    add('crypt.docx', ole2_encrypted(), 'encrypted')
    add('crypt.pptx', ole2_encrypted(), 'encrypted')
    add('legacy.docx', ole2_plain(), 'hostile')
    seeds = [out['split-runs.docx'][0], out['notes.docx'][0], out['textbox.docx'][0],
             out['spaces.odt'][0], out['notes.odt'][0], out['slides.pptx'][0]]
    for i in range(300):
        base = seeds[i % len(seeds)]
        ext = 'odt' if i % len(seeds) in (3, 4) else 'pptx' if i % len(seeds) == 5 else 'docx'
        add('mut%03d.%s' % (i, ext), mutate(rng, base, i), 'hostile')


def docx_xml(text):
    return ('<w:document xmlns:w="%s"><w:body><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:body>'
            '</w:document>' % (W, text))


def mutate(rng, data, i):
    """Byte flips in the zip's data (its directory left whole), truncation
    of the zip, byte flips in the XML of the parts (stored again, so that
    it inflates), parts dropped, parts cut short."""
    how = i % 5
    if how == 0:
        b = bytearray(data)
        cd = struct.unpack_from('<I', data, len(data) - 6)[0]
        for _ in range(rng.randint(1, 20)):
            b[rng.randrange(cd)] = rng.randrange(256)
        return bytes(b)
    if how == 1:
        return data[:rng.randrange(len(data))]
    import io
    zin = zipfile.ZipFile(io.BytesIO(data))
    entries = []
    for info in zin.infolist():
        d = zin.read(info)
        if how == 2 and info.filename.endswith('.xml') and d:
            b = bytearray(d)
            for _ in range(rng.randint(1, 8)):
                b[rng.randrange(len(b))] = rng.choice(b'<>&;/"\'\x00\xff\xc3 xw:')
            d = bytes(b)
        if how == 3 and rng.random() < 0.3:
            continue
        if how == 4 and info.filename.endswith('.xml') and rng.random() < 0.5:
            d = d[:rng.randrange(len(d) + 1)]
        entries.append((info.filename, 0, d, zlib.crc32(d), len(d)))
    return raw_zip(entries)


def ole2(names):
    """A compound file of 512-byte sectors: header, one FAT sector (0), one
    directory sector (1) naming names."""
    hdr = bytearray(512)
    hdr[0:8] = b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1'
    struct.pack_into('<HHHH', hdr, 24, 0x3e, 3, 0xfffe, 9)
    struct.pack_into('<H', hdr, 32, 6)
    struct.pack_into('<I', hdr, 44, 1)          # FAT sectors
    struct.pack_into('<I', hdr, 48, 1)          # first directory sector
    struct.pack_into('<I', hdr, 60, 0xfffffffe)
    struct.pack_into('<I', hdr, 68, 0xfffffffe)
    for k in range(109):
        struct.pack_into('<I', hdr, 76 + 4 * k, 0 if k == 0 else 0xffffffff)
    fat = bytearray(b'\xff' * 512)
    struct.pack_into('<II', fat, 0, 0xfffffffd, 0xfffffffe)
    d = bytearray(512)
    for k, name in enumerate(['Root Entry'] + names[:3]):
        u = (name + '\0').encode('utf-16-le')
        d[128 * k:128 * k + len(u)] = u
        struct.pack_into('<H', d, 128 * k + 64, len(u))
        d[128 * k + 66] = 5 if k == 0 else 2
    return bytes(hdr + fat + d) + os.urandom(2048)


def ole2_encrypted():
    return ole2(['EncryptionInfo', 'EncryptedPackage', '\x06DataSpaces'])


def ole2_plain():
    return ole2(['WordDocument', '1Table', '\x05SummaryInformation'])


def main():
    d = sys.argv[1]
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 13
    rng = random.Random(seed)
    docx_cases()
    pptx_cases()
    odf_cases()
    for i in range(60):
        add('rand%02d.docx' % i, rand_docx(rng))
        add('rand%02d.pptx' % i, rand_pptx(rng))
        add('rand%02d.odt' % i, rand_odt(rng))
    hostile_cases(rng)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'list'), 'w') as lst:
        for name, (data, kind) in out.items():
            with open(os.path.join(d, name), 'wb') as f:
                f.write(data)
            lst.write('%s %s\n' % (name, kind))


if __name__ == '__main__':
    main()
